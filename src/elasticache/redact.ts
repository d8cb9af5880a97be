/**
 * AWS's own words, made fit for a client. Some faults carry only AWS's message (a bad parameter
 * value), and AWS writes ARNs, account ids and IAM principals into such messages: the ARN of
 * another resource, the gateway's own role, the account number. Those are replaced; the rest of
 * the message, which says what was wrong, is kept. The original stays in the gateway's log.
 */

/** ARNs of any partition and service: `arn:aws:iam::123456789012:role/x`, `arn:aws-cn:…`. */
const ARN = /\barn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d{0,12}:[^\s"'`,;)]+/gi;
/** A twelve-digit number on its own: an AWS account id. */
const ACCOUNT_ID = /(?<![\d.])\d{12}(?![\d.])/g;
/** `User: alice is not authorized…` / `assumed-role/name/session` names an IAM principal. */
const ASSUMED_ROLE = /\bassumed-role\/[^\s"'`,;)]+/gi;
/** An access key id (AKIA…/ASIA…), should AWS ever echo one. */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;

export function redactAwsMessage(message: string): string {
  return message
    .replace(ARN, '<arn>')
    .replace(ASSUMED_ROLE, '<iam-principal>')
    .replace(ACCESS_KEY_ID, '<access-key-id>')
    .replace(ACCOUNT_ID, '<account-id>');
}
