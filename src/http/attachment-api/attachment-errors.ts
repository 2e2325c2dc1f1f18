import { OAuthError } from "../oauth/oauth-error.ts";

/** Failures particular to the Attachment API, in the Table API's envelope. */
export const tooLarge = (maxBytes: number) => new OAuthError("invalid_request", `the attachment is larger than the ${maxBytes} bytes this instance accepts`, { status: 413 });

export const disguisedExecutable = (claimed: string, detected: string) =>
  new OAuthError("invalid_request", `the file's bytes are ${detected}, not the ${claimed} it is declared as; an executable must be uploaded as what it is`, { status: 415 });
