/**
 * The IPC edge of main (RELIABILITY E2). One `ipcMain.handle` per contract channel and no
 * other; each first checks that the call comes from the top frame of our main window showing
 * `app://certdesk`, and refuses anything else with `forbidden` before the dispatcher (and so
 * any core code) sees it. Calls that pass go to the shared dispatcher, which validates the
 * payload. Core events go the other way, to the window, only while it exists.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS, type EventName } from '../../shared/channels.ts';
import type { IpcResult } from '../../shared/contract.ts';
import type { Logger } from '../core/log.ts';
import type { Dispatch } from '../rpc/dispatch.ts';
import { isAppUrl } from './protocol.ts';

/** Why a call is refused, or null when its sender is our window's top frame. */
export type SenderCheck = (event: IpcMainInvokeEvent) => string | null;

/** The window the checks compare against; only the parts they read. */
export type TrustedWindow = Pick<BrowserWindow, 'isDestroyed' | 'webContents'>;

/** The answer to every refused call. Fixed text: it tells an attacker nothing. */
export const FORBIDDEN_RESULT: IpcResult<never> = Object.freeze({
  ok: false,
  error: Object.freeze({
    code: 'forbidden',
    message: 'Certdesk refused this request because it did not come from its own window.',
  }),
}) as IpcResult<never>;

/**
 * The reason to refuse a call, or null to accept it. Fails closed: no window, a destroyed or
 * null sender frame, another web contents, a subframe, or a page whose parsed origin is not
 * exactly `app://certdesk` are all refused; so is anything that throws while being read.
 */
export function senderRefusal(
  event: IpcMainInvokeEvent,
  window: TrustedWindow | null,
): string | null {
  try {
    if (!window || window.isDestroyed()) return 'the main window is gone';
    const frame = event.senderFrame;
    if (frame === null || frame === undefined) return 'the sender frame is gone';
    if (event.sender !== window.webContents) return 'the sender is another web contents';
    if (frame !== window.webContents.mainFrame) return 'the sender is not the top frame';
    if (frame.parent !== null) return 'the sender is a subframe';
    if (!isAppUrl(frame.url)) return 'the sender is not showing a Certdesk page';
    return null;
  } catch {
    return 'the sender could not be checked';
  }
}

/** The sender check for the current main window, looked up on every call. */
export function createSenderCheck(getWindow: () => TrustedWindow | null): SenderCheck {
  return (event) => senderRefusal(event, getWindow());
}

/**
 * Registers one handler for every channel of INVOKE_CHANNELS. A refused call is logged and
 * answered with {@link FORBIDDEN_RESULT}; it never reaches `dispatch`. An accepted call
 * answers whatever `dispatch` answers for (channel, payload); extra arguments are ignored.
 */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle'>,
  dispatch: Dispatch,
  checkSender: SenderCheck,
  logger: Logger,
): void {
  for (const channel of Object.values(INVOKE_CHANNELS)) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      const refusal = checkSender(event);
      if (refusal !== null) {
        logger.warn('refused an IPC call', { channel, reason: refusal });
        return FORBIDDEN_RESULT;
      }
      return dispatch(channel, payload);
    });
  }
}

/** What {@link forwardCoreEvents} listens to: the core's event source. */
export interface CoreEventSource {
  /** Starts delivery of core events to `listener`; returns the function that stops it. */
  on(listener: (event: { name: EventName; payload: unknown }) => void): () => void;
}

/** The window events are sent to; only the parts forwarding reads. */
export type EventTargetWindow = Pick<BrowserWindow, 'isDestroyed' | 'webContents'>;

/**
 * Sends each core event to the window on its EVENT_CHANNELS channel, payload only, while the
 * window and its web contents exist; events with no channel and events while there is no
 * window are dropped (the renderer reloads state when it starts). Returns the unsubscribe.
 */
export function forwardCoreEvents(
  events: CoreEventSource,
  getWindow: () => EventTargetWindow | null,
): () => void {
  return events.on(({ name, payload }) => {
    const channel = Object.hasOwn(EVENT_CHANNELS, name) ? EVENT_CHANNELS[name] : undefined;
    const window = getWindow();
    if (!channel || !window || window.isDestroyed() || window.webContents.isDestroyed()) return;
    window.webContents.send(channel, payload);
  });
}
