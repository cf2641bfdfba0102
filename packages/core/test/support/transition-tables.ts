/**
 * The transition tables of spec §3.1–§3.3, transcribed cell by cell from the spec text (not
 * from decide.ts). Rows are this server's state, columns the partner state learned from the
 * last heartbeat, or U0/U1/U2 when it failed (§2: U0 = not yet interrupted, U1 = interrupted
 * but failure not confirmed, U2 = failure confirmed).
 *
 * A cell is the state the handler moves to in one run; the conditional cells of the spec are
 * spelled with the helpers below so that each condition is tested both ways.
 */
import type { StateLabel } from '../../src/config/index.js';

export type Abbrev = 'WAIT' | 'SYNC' | 'RDY' | 'LB' | 'HS' | 'CR' | 'PD' | 'PIM' | 'IM' | 'TERM';

export const STATE_OF: Readonly<Record<Abbrev, StateLabel>> = {
  WAIT: 'waiting',
  SYNC: 'syncing',
  RDY: 'ready',
  LB: 'load-balancing',
  HS: 'hot-standby',
  CR: 'communication-recovery',
  PD: 'partner-down',
  PIM: 'partner-in-maintenance',
  IM: 'in-maintenance',
  TERM: 'terminated',
};

export const ABBREV_OF: Readonly<Record<StateLabel, string>> = {
  waiting: 'WAIT',
  syncing: 'SYNC',
  ready: 'RDY',
  'load-balancing': 'LB',
  'hot-standby': 'HS',
  'communication-recovery': 'CR',
  'partner-down': 'PD',
  'partner-in-maintenance': 'PIM',
  'in-maintenance': 'IM',
  terminated: 'TERM',
  'passive-backup': 'PB',
  backup: 'backup',
};

export const COLUMNS = ['CR', 'HS', 'LB', 'IM', 'PD', 'PIM', 'RDY', 'SYNC', 'TERM', 'WAIT', 'U0', 'U1', 'U2'] as const;
export type Column = (typeof COLUMNS)[number];

/**
 * `SYNC†` = SYNC when sync-leases is true, RDY when false; `sync` = run the blocking
 * synchronisation now (success → RDY); `recover` = the communication-recovery procedure
 * (deliver the backlog → LB, or ha-reset → WAIT); `—` = the situation cannot occur.
 */
export type Cell =
  | Abbrev
  | 'SYNC†'
  | 'sync'
  | 'recover'
  | '—'
  | { readonly primary: Cell; readonly secondary: Cell }
  | { readonly withBacklog: Cell; readonly withoutBacklog: Cell }
  | { readonly backlogIntact: Cell; readonly backlogOverflowed: Cell }
  | { readonly noNewUnsent: Cell; readonly newUnsent: Cell };

/** "P: x, S: y": the primary and the secondary/standby differ (tie-break, §3.7). */
export const bySide = (primary: Cell, secondary: Cell): Cell => ({ primary, secondary });
/** "x (y if delayed-updates-limit=0)". */
export const unlessNoBacklog = (withBacklog: Cell, withoutBacklog: Cell): Cell => ({ withBacklog, withoutBacklog });
/** "x, or y if communication is not interrupted and the backlog overflowed". */
export const ifOverflowed = (backlogIntact: Cell, backlogOverflowed: Cell): Cell => ({ backlogIntact, backlogOverflowed });
/** "x, or y if the partner has new unsent updates". */
export const ifNewUnsent = (noNewUnsent: Cell, newUnsent: Cell): Cell => ({ noNewUnsent, newUnsent });

export type Row = Readonly<Record<Column, Cell>>;
export type Table = Readonly<Partial<Record<Abbrev, Row>>>;

const row = (cells: readonly Cell[]): Row => {
  if (cells.length !== COLUMNS.length) throw new Error(`a table row has ${COLUMNS.length} cells, got ${cells.length}`);
  return Object.fromEntries(COLUMNS.map((column, i) => [column, cells[i]])) as Row;
};
const all = (cell: Cell): Row => row(COLUMNS.map(() => cell));

/** "as RDY column" of the CR row. */
const crWaitingForPartner = ifOverflowed('CR', 'WAIT');

//                     CR          HS       LB         IM       PD      PIM     RDY                          SYNC     TERM     WAIT                        U0                             U1                             U2
/** §3.1, load-balancing mode, primary and secondary. */
export const LOAD_BALANCING: Table = {
  WAIT: row(['SYNC†', 'WAIT', 'SYNC†', 'SYNC†', 'SYNC†', 'SYNC†', 'SYNC†', 'WAIT', 'WAIT', bySide('SYNC†', 'WAIT'), 'WAIT', '—', 'PD']),
  SYNC: row(['sync', 'WAIT', 'sync', 'sync', 'sync', 'sync', 'sync', 'sync', 'TERM', 'sync', 'SYNC', '—', 'PD']),
  RDY: row(['LB', 'WAIT', 'LB', 'PIM', 'RDY', 'IM', bySide('LB', 'RDY'), 'RDY', 'TERM', 'RDY', 'RDY', '—', 'PD']),
  LB: row(['LB', 'WAIT', 'LB', 'PIM', 'WAIT', 'IM', 'LB', 'LB', 'TERM', 'LB', unlessNoBacklog('CR', 'LB'), unlessNoBacklog('CR', 'LB'), 'PD']),
  CR: row(['recover', 'WAIT', 'recover', 'PIM', 'WAIT', 'IM', crWaitingForPartner, crWaitingForPartner, 'TERM', crWaitingForPartner, 'CR', 'CR', 'PD']),
  PD: row(['WAIT', 'WAIT', 'PD', 'PD', 'WAIT', 'WAIT', ifNewUnsent('LB', 'WAIT'), 'PD', 'TERM', 'PD', 'PD', 'PD', 'PD']),
  PIM: row(['PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PD', 'PD', 'PD']),
  IM: all('IM'),
  TERM: all('TERM'),
};

/** §3.2, hot-standby mode, primary. */
export const HOT_STANDBY_PRIMARY: Table = {
  WAIT: row(['WAIT', 'SYNC†', 'WAIT', 'SYNC†', 'SYNC†', 'SYNC†', 'SYNC†', 'WAIT', 'WAIT', 'SYNC†', 'WAIT', '—', 'PD']),
  SYNC: row(['WAIT', 'sync', 'WAIT', 'sync', 'sync', 'sync', 'sync', 'sync', 'TERM', 'sync', 'SYNC', '—', 'PD']),
  RDY: row(['WAIT', 'HS', 'WAIT', 'PIM', 'RDY', 'IM', 'HS', 'RDY', 'TERM', 'RDY', 'RDY', '—', 'PD']),
  HS: row(['WAIT', 'HS', 'WAIT', 'PIM', 'WAIT', 'IM', 'HS', 'HS', 'TERM', 'HS', 'HS', '—', 'PD']),
  PD: row(['WAIT', 'PD', 'WAIT', 'PD', 'WAIT', 'WAIT', ifNewUnsent('HS', 'WAIT'), 'PD', 'TERM', 'PD', 'PD', '—', 'PD']),
  PIM: row(['PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PIM', 'PD', '—', 'PD']),
  IM: all('IM'),
  TERM: all('TERM'),
};

/**
 * §3.3, hot-standby mode, standby: identical to §3.2 except WAIT + WAIT → WAIT, RDY + RDY →
 * RDY, HS + U1 → HS and HS + U2 → PD (the standby serves traffic in HS, so it uses failure
 * detection there).
 */
export const HOT_STANDBY_STANDBY: Table = {
  ...HOT_STANDBY_PRIMARY,
  WAIT: { ...(HOT_STANDBY_PRIMARY.WAIT as Row), WAIT: 'WAIT' },
  RDY: { ...(HOT_STANDBY_PRIMARY.RDY as Row), RDY: 'RDY' },
  HS: { ...(HOT_STANDBY_PRIMARY.HS as Row), U1: 'HS', U2: 'PD' },
};

export interface Variant {
  readonly delayedUpdates?: boolean;
  readonly backlogOverflowed?: boolean;
  readonly partnerNewUnsent?: boolean;
}

/** The conditions a cell depends on, each way round. */
export function variantsOf(cell: Cell): Variant[] {
  if (typeof cell === 'string') return cell === 'recover' ? [{ backlogOverflowed: false }, { backlogOverflowed: true }] : [{}];
  if ('withBacklog' in cell) return [{ delayedUpdates: true }, { delayedUpdates: false }];
  if ('backlogIntact' in cell) return [{ backlogOverflowed: false }, { backlogOverflowed: true }];
  if ('noNewUnsent' in cell) return [{ partnerNewUnsent: false }, { partnerNewUnsent: true }];
  return [{}];
}

export type Outcome = Abbrev | 'sync' | 'recover' | '—';

export function resolveCell(cell: Cell, isPrimary: boolean, syncLeases: boolean, variant: Variant): Outcome {
  if (typeof cell === 'string') return cell === 'SYNC†' ? (syncLeases ? 'SYNC' : 'RDY') : cell;
  if ('primary' in cell) return resolveCell(isPrimary ? cell.primary : cell.secondary, isPrimary, syncLeases, variant);
  if ('withBacklog' in cell) return resolveCell(variant.delayedUpdates === false ? cell.withoutBacklog : cell.withBacklog, isPrimary, syncLeases, variant);
  if ('backlogIntact' in cell) return resolveCell(variant.backlogOverflowed === true ? cell.backlogOverflowed : cell.backlogIntact, isPrimary, syncLeases, variant);
  return resolveCell(variant.partnerNewUnsent === true ? cell.newUnsent : cell.noNewUnsent, isPrimary, syncLeases, variant);
}
