/**
 * Encoder for awsQuery responses: the `<Op>Response>` success envelope and the `ErrorResponse`.
 *
 * Documents are plain objects handed to fast-xml-parser's XMLBuilder, so every user-supplied value
 * is escaped as text; nothing is spliced into markup by hand. Keys are element names (fixed by the
 * model), values are text, arrays repeat their element, `undefined` omits the element and `''` gives
 * an empty one (an empty list).
 */
import { XMLBuilder } from 'fast-xml-parser';
import { XML_NAMESPACE, type AwsError } from './faults';

export type XmlValue = string | number | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [element: string]: XmlValue;
}

// Characters XML 1.0 cannot carry at all, not even as character references.
const NON_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NON_XML_CHARS = new RegExp(NON_XML_CHAR.source, 'gu');

/** Whether `value` can be written into an XML 1.0 document. */
export function isXmlSafe(value: string): boolean {
  return !NON_XML_CHAR.test(value);
}

/** AWS's timestamp form, `YYYY-MM-DDThh:mm:ss.sssZ`. */
export function timestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

interface BuilderOptionsWithEntities extends NonNullable<ConstructorParameters<typeof XMLBuilder>[0]> {
  entities: { regex: RegExp; val: string }[];
}

const options: BuilderOptionsWithEntities = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  format: false,
  processEntities: true,
  // The builder's own five entities, plus CR: a literal CR would be normalised away by any XML
  // parser (the SDK's included), so it must travel as a character reference to round-trip.
  entities: [
    { regex: /&/g, val: '&amp;' },
    { regex: />/g, val: '&gt;' },
    { regex: /</g, val: '&lt;' },
    { regex: /'/g, val: '&apos;' },
    { regex: /"/g, val: '&quot;' },
    { regex: /\r/g, val: '&#xD;' },
  ],
  // Input validation already rejects such characters; this only guarantees well-formed output.
  tagValueProcessor: (_name: string, value: unknown) => (typeof value === 'string' ? value.replace(NON_XML_CHARS, '\uFFFD') : value),
};
const builder = new XMLBuilder(options);

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `<Op>Response xmlns=…><Op>Result>…</Op>Result><ResponseMetadata><RequestId>…` */
export function successDocument(action: string, result: XmlObject, requestId: string): string {
  return (
    DECLARATION +
    String(
      builder.build({
        [`${action}Response`]: {
          '@_xmlns': XML_NAMESPACE,
          [`${action}Result`]: result,
          ResponseMetadata: { RequestId: requestId },
        },
      }),
    )
  );
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` */
export function errorDocument(error: Pick<AwsError, 'type' | 'code' | 'message'>, requestId: string): string {
  return (
    DECLARATION +
    String(
      builder.build({
        ErrorResponse: {
          '@_xmlns': XML_NAMESPACE,
          Error: { Type: error.type, Code: error.code, Message: error.message },
          RequestId: requestId,
        },
      }),
    )
  );
}
