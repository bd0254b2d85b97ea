// Types for the part of autocannon (v8/9) the benches use: the package ships none, and
// @types/autocannon is not installed. Replace this file with @types/autocannon when it is.
declare module 'autocannon' {
  interface Options {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'PATCH' | 'OPTIONS';
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Replaces [<id>] in the request with a unique id per request. */
    idReplacement?: boolean;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
  }
  interface Histogram {
    average: number;
    total: number;
    p50: number;
    p99: number;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    non2xx: number;
    errors: number;
    timeouts: number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
