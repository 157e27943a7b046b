/**
 * The one unhandled error the suite lets pass: ioredis rejecting a command with "Connection is closed."
 * while BullMQ's own clients shut down, with no frame of Herold's code in the stack. It is BullMQ's open
 * issue #3546 ("Intermittent 'Error: Connection is closed' during shutdown", labelled "cannot
 * reproduce"); here it came in 1 of 4 full CI runs of session 5 and once in session 3, always after
 * every test had passed, and never with a frame of src/. Session 4 closed the one cause on our side it
 * found (PrimaryCheck.stop waits for a check in flight). Any other unhandled error still fails the run.
 */
export function isUpstreamShutdownError(error: { message?: string; stack?: string }): boolean {
  const stack = error.stack ?? '';
  return (
    error.message === 'Connection is closed.' &&
    /node_modules\/ioredis\/built\/redis\/event_handler\.js/.test(stack) &&
    !/\/(src|test)\//.test(stack.split('\n').slice(1).join('\n'))
  );
}
