// The public barrel of rxjs-backpressure/redis: flow control across processes on Redis (ioredis, an
// optional peer), kept out of the main entry point.

export { fromRedisStream } from './fromRedisStream.js';
export type { RedisDeadLetter, RedisStreamDelivery } from './RedisStreamDelivery.js';
export type { RedisStreamOptions } from './RedisStreamOptions.js';
export { DistributedCapacity } from './DistributedCapacity.js';
export type { DistributedCapacityOptions } from './DistributedCapacityOptions.js';
