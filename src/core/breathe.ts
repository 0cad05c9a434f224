/**
 * Lets other work of this process in (a server's requests: the workbench builds indexes and traces
 * echoes in the background) between parts of a long synchronous loop: `if (i % 8192 === 8191) await
 * breathe();`. One turn of the event loop per call, so a request waits for one slice, not the loop.
 */
export const breathe = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
