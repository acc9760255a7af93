// The public barrel of rxjs-backpressure/redis: flow control across processes on Redis (ioredis, an
// optional peer), kept out of the main entry point.

export { fromRedisStream, type RedisStreamOptions } from './fromRedisStream.js';
export type { RedisDeadLetter, RedisStreamDelivery } from './RedisStreamDelivery.js';
export { DistributedCapacity, type DistributedCapacityOptions } from './DistributedCapacity.js';
