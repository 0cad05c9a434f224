/**
 * One connection, one statement at a time: DuckDB connections are not meant to run statements
 * concurrently, and a request's temporary tables must not be seen half-built by another. Requests
 * queue here; long work (detection, ingest, amplification) runs on connections of its own.
 */
export class Queue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
