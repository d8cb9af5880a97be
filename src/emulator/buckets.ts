/**
 * S3 bucket names, checked as S3 checks general-purpose bucket names, so an export to a name S3
 * could never hold fails here as it would against AWS, and the admin API cannot create one.
 */

const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Why `name` is not a valid S3 bucket name, or `undefined` when it is. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `it must be 3 to 63 characters long; it is ${name.length}.`;
  if (!/^[a-z0-9.-]+$/.test(name)) return 'it may contain only lower-case letters, digits, dots and hyphens.';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'it must begin and end with a letter or a digit.';
  if (name.includes('..')) return 'it must not contain two adjacent dots.';
  if (IP_ADDRESS.test(name)) return 'it must not be formatted as an IP address.';
  if (/^(xn--|sthree-)/.test(name) || /(-s3alias|--ol-s3)$/.test(name)) return 'it uses a prefix or suffix S3 reserves.';
  return undefined;
}

/** An AWS region name such as `us-east-1` or `us-gov-west-1`. */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
