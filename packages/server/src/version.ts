/** Tandem's version; kept in step with packages/server/package.json. */
export const TANDEM_VERSION = '0.1.0';

/** The version text Kea 2.2 command clients are told Tandem is compatible with. */
export const KEA_COMPATIBLE_VERSION = '2.2.0';

export const extendedVersion = (): string =>
  `${TANDEM_VERSION}\ntandemd (Tandem) ${TANDEM_VERSION}, Kea ${KEA_COMPATIBLE_VERSION} command and configuration compatible\nnode ${process.version}\nlease database: memfile`;
