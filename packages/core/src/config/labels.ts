/**
 * The text forms of mode, role, pause setting and state label (spec §1, §4, §5; CFG-32).
 * In Tandem the label *is* the enumeration value, so `xToString` is the identity; the
 * `stringToX` direction is where Kea's spelling is enforced (case-sensitive, no trimming).
 */
import { STATE_LABELS, type HaMode, type PausableLabel, type PauseMode, type PeerRole } from './types.js';

export const HA_MODES: readonly HaMode[] = ['load-balancing', 'hot-standby', 'passive-backup'];
export const PEER_ROLES: readonly PeerRole[] = ['primary', 'secondary', 'standby', 'backup'];
export const PAUSE_MODES: readonly PauseMode[] = ['always', 'once', 'never'];
/** Every label the state-machine pause list accepts: the twelve states plus `unavailable` (spec §4). */
export const PAUSABLE_LABELS: readonly PausableLabel[] = [...STATE_LABELS, 'unavailable'];

const isOneOf =
  <T extends string>(values: readonly T[]) =>
  (text: unknown): text is T =>
    typeof text === 'string' && (values as readonly string[]).includes(text);

export const isHaMode = isOneOf(HA_MODES);
export const isPeerRole = isOneOf(PEER_ROLES);
export const isPauseMode = isOneOf(PAUSE_MODES);
export const isPausableLabel = isOneOf(PAUSABLE_LABELS);

/** Kea's error texts for a value outside each enumeration. */
export const unsupportedModeText = (text: string): string => `unsupported value '${text}' for mode parameter`;
export const unsupportedRoleText = (text: string): string => `unsupported value '${text}' for role parameter`;
export const unsupportedPauseText = (text: string): string => `unsupported value ${text} of 'pause' parameter`;
export const unknownStateText = (text: string): string => `unknown state ${text}`;

function convert<T extends string>(guard: (text: unknown) => text is T, message: (text: string) => string) {
  return (text: string): T => {
    if (guard(text)) return text;
    throw new RangeError(message(text));
  };
}

/** Throws RangeError with Kea's message for anything but an exact label. */
export const stringToHaMode = convert(isHaMode, unsupportedModeText);
export const stringToRole = convert(isPeerRole, unsupportedRoleText);
export const stringToPausing = convert(isPauseMode, unsupportedPauseText);
export const stringToStateLabel = convert(isPausableLabel, unknownStateText);

export const haModeToString = (mode: HaMode): string => mode;
export const roleToString = (role: PeerRole): string => role;
export const pausingToString = (pause: PauseMode): string => pause;
