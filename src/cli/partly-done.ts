/**
 * A command that did what it was asked but not everything that goes with it: `provider delete`
 * deleted the record, or `provider update` replaced the client, but the provider did not revoke
 * the tokens it had issued. Exit code 4, apart from 1 (failed): a script can tell that the change
 * is made and that something is left to do by hand (`message`, already in the reader's language).
 */
export class PartlyDone extends Error {
  readonly exitCode = 4;
}
