import type { Node, NodeMessage } from 'node-red';

type Send = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type Done = (error?: Error) => void;

/**
 * The one input wrapper: runs the handler, then calls done() exactly once —
 * with the error when it throws or rejects, so Catch nodes see the failure
 * together with the message that caused it.
 */
export function onInput(node: Node, handler: (msg: NodeMessage, send: Send) => void | Promise<void>): void {
  node.on('input', (msg: NodeMessage, send: Send, done: Done) => {
    let finished = false;
    const finish = (error?: unknown): void => {
      if (finished) return;
      finished = true;
      if (error === undefined) done();
      else done(error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error)));
    };
    try {
      Promise.resolve(handler(msg, send)).then(() => finish(), finish);
    } catch (error) {
      finish(error);
    }
  });
}
