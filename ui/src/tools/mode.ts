import type { Action } from './keymap';
import type { ToolName } from './tool';

/**
 * What the local user may do on the open board, from the access level the core reports
 * (`board_open`'s `access`): EDIT and OWNER edit, COMMENT only comments, VIEW only looks.
 */
export type Mode = 'edit' | 'comment' | 'view';

export function modeFor(access: string | null | undefined): Mode {
  switch ((access ?? '').toUpperCase()) {
    case 'OWNER':
    case 'EDIT':
      return 'edit';
    case 'COMMENT':
      return 'comment';
    default:
      return 'view';
  }
}

/** Tools that never change the board. */
const LOOKING: ReadonlySet<ToolName> = new Set<ToolName>(['hand']);

/** Whether `tool` may be used in `mode`. */
export function toolAllowed(mode: Mode, tool: ToolName): boolean {
  if (mode === 'edit') return true;
  if (tool === 'comment') return mode === 'comment';
  return LOOKING.has(tool);
}

/** The tool a board opens with in `mode`. */
export function defaultTool(mode: Mode): ToolName {
  return mode === 'edit' ? 'select' : 'hand';
}

/** Why a writing tool or action is unavailable (tooltips), or null when it is available. */
export function blockedReason(mode: Mode): string | null {
  if (mode === 'view') return 'You have view access — ask the owner for an edit link';
  if (mode === 'comment') return 'You can comment — ask the owner for an edit link to draw';
  return null;
}

/** The badge shown while the board cannot be edited. */
export function modeBadge(mode: Mode): string | null {
  return mode === 'view' ? 'View only' : mode === 'comment' ? 'Can comment' : null;
}

/** Actions that change the board (refused outside edit mode); the rest only look around. */
const WRITING: ReadonlySet<Action['type']> = new Set<Action['type']>([
  'insertImage',
  'undo',
  'redo',
  'duplicate',
  'delete',
  'group',
  'ungroup',
  'bringToFront',
  'sendToBack',
  'bringForward',
  'sendBackward',
  'align',
  'distribute',
  'toggleLock',
  'selectAll',
]);

export function actionAllowed(mode: Mode, action: Action): boolean {
  if (mode === 'edit') return true;
  if (action.type === 'tool') return toolAllowed(mode, action.tool);
  return !WRITING.has(action.type);
}
