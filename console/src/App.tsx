import { CombinedGraphQLErrors, ServerError } from '@apollo/client';
import { ApolloProvider, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useState, type FormEvent } from 'react';
import {
  CopyServerlessCacheSnapshotDocument,
  CreateServerlessCacheSnapshotDocument,
  DeleteServerlessCacheSnapshotDocument,
  ExportServerlessCacheSnapshotDocument,
  RestoreServerlessCacheFromSnapshotDocument,
  ServerlessCachesDocument,
  ServerlessCacheSnapshotsDocument,
  ServerlessCacheSnapshotStatusChangedDocument,
} from '../../client/generated/graphql';
import { connect, type Connection, type Credential } from './client';

const TRANSITIONAL = new Set(['creating', 'copying', 'exporting', 'deleting']);

/** A result union member the console was built without (a fault AWS documented later). */
function unknownMember(member: never): { __typename: string; message?: string } {
  return member;
}

/** A failure in `errors` (or of the transport), in words, with its extensions.code. */
function describeError(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.map((e) => `${e.message}${typeof e.extensions?.code === 'string' ? ` (${e.extensions.code})` : ''}`).join('; ');
  }
  if (ServerError.is(error)) return `The gateway answered HTTP ${error.statusCode}${error.statusCode === 401 ? ': check the credentials above' : ''}`;
  return error instanceof Error ? error.message : String(error);
}

function Status({ status }: { status: string | null }) {
  return <span className={`status status-${status ?? 'unknown'}`}>{status ?? 'unknown'}</span>;
}

function Credentials({ onChange, problem }: { onChange: (credential: Credential) => void; problem: string | undefined }) {
  const [kind, setKind] = useState<Credential['kind']>('none');
  const [value, setValue] = useState('');
  const apply = (event: FormEvent) => {
    event.preventDefault();
    onChange(kind === 'none' || value.trim() === '' ? { kind: 'none' } : { kind, value: value.trim() });
  };
  return (
    <form onSubmit={apply} aria-label="credentials" style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
      <select aria-label="credential kind" value={kind} onChange={(e) => setKind(e.target.value as Credential['kind'])}>
        <option value="none">no credential</option>
        <option value="token">bearer token</option>
        <option value="apiKey">API key</option>
      </select>
      <input
        aria-label="credential"
        type="password"
        autoComplete="off"
        placeholder="paste a token or API key (kept in memory only)"
        value={value}
        disabled={kind === 'none'}
        onChange={(e) => setValue(e.target.value)}
        size={40}
      />
      <button type="submit">Use</button>
      {problem !== undefined && <span role="alert">{problem}</span>}
    </form>
  );
}

function Caches({ selected, onSelect }: { selected: string | undefined; onSelect: (name: string) => void }) {
  const { data, error, loading } = useQuery(ServerlessCachesDocument, { variables: { first: 50 } });
  const caches = data?.serverlessCaches.edges.map((edge) => edge.node) ?? [];
  useEffect(() => {
    if (selected === undefined && caches[0] !== undefined) onSelect(caches[0].serverlessCacheName);
  }, [selected, caches, onSelect]);
  return (
    <section aria-label="caches">
      <h2>Caches</h2>
      {loading && <p>Loading…</p>}
      {error && <p className="message error">{describeError(error)}</p>}
      <table>
        <thead>
          <tr><th>name</th><th>engine</th><th>status</th><th /></tr>
        </thead>
        <tbody>
          {caches.map((cache) => (
            <tr key={cache.id} className={cache.serverlessCacheName === selected ? 'selected' : undefined} data-cache={cache.serverlessCacheName}>
              <td>{cache.serverlessCacheName}</td>
              <td>{cache.engine} {cache.majorEngineVersion}</td>
              <td><Status status={cache.status} /></td>
              <td><button type="button" onClick={() => onSelect(cache.serverlessCacheName)}>Snapshots</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Follows one snapshot's status over graphql-ws; the answers update the cached snapshot by id. */
function LiveStatus({ name, onGone }: { name: string; onGone: () => void }) {
  const { error } = useSubscription(ServerlessCacheSnapshotStatusChangedDocument, { variables: { name }, onComplete: onGone });
  return error ? <span className="live" title={describeError(error)}>not live</span> : <span className="live">● live</span>;
}

function Snapshots({ cacheName }: { cacheName: string }) {
  const { data, error, loading, refetch } = useQuery(ServerlessCacheSnapshotsDocument, {
    variables: { serverlessCacheName: cacheName, first: 50 },
    fetchPolicy: 'cache-and-network',
  });
  const [deleteSnapshot] = useMutation(DeleteServerlessCacheSnapshotDocument);
  const [copySnapshot] = useMutation(CopyServerlessCacheSnapshotDocument);
  const [exportSnapshot] = useMutation(ExportServerlessCacheSnapshotDocument);
  const [restoreSnapshot] = useMutation(RestoreServerlessCacheFromSnapshotDocument);
  const [message, setMessage] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  // One field names what the row actions need: the copy's name, the bucket, or the restored cache.
  const [target, setTarget] = useState('');
  /** Runs a row action: a fault's message as an error, a success as a notice and a fresh list. */
  const act = async (run: () => Promise<{ __typename: string; message?: string } | null | undefined>, done: string) => {
    setMessage(undefined);
    setNotice(undefined);
    try {
      const result = await run();
      if (result === null || result === undefined) return;
      if (result.__typename.endsWith('Success')) {
        setNotice(done);
        void refetch();
      } else {
        setMessage(result.message ?? result.__typename);
      }
    } catch (failure) {
      setMessage(describeError(failure));
    }
  };
  const copy = (source: string) =>
    act(
      async () =>
        (
          await copySnapshot({
            variables: { input: { sourceServerlessCacheSnapshotName: source, targetServerlessCacheSnapshotName: target, idempotencyKey: crypto.randomUUID() } },
          })
        ).data?.copyServerlessCacheSnapshot,
      `Copying ${source} to ${target}.`,
    );
  const exportTo = (name: string) =>
    act(
      async () => (await exportSnapshot({ variables: { input: { serverlessCacheSnapshotName: name, s3BucketName: target } } })).data?.exportServerlessCacheSnapshot,
      `Exporting ${name} to the bucket ${target}.`,
    );
  const restore = (name: string) =>
    act(
      async () =>
        (
          await restoreSnapshot({
            variables: { input: { serverlessCacheName: target, snapshotNames: [name], idempotencyKey: crypto.randomUUID() } },
          })
        ).data?.restoreServerlessCacheFromSnapshot,
      `Restoring ${name} into the new cache ${target}.`,
    );
  const snapshots = data?.serverlessCacheSnapshots.edges.map((edge) => edge.node) ?? [];
  const remove = async (name: string) => {
    setMessage(undefined);
    try {
      const { data: answer } = await deleteSnapshot({ variables: { input: { serverlessCacheSnapshotName: name } } });
      const result = answer?.deleteServerlessCacheSnapshot;
      if (result && result.__typename !== 'DeleteServerlessCacheSnapshotSuccess' && 'message' in result) setMessage(result.message);
    } catch (failure) {
      setMessage(describeError(failure));
    }
  };
  return (
    <section aria-label="snapshots">
      <h2>Snapshots of {cacheName}</h2>
      {loading && snapshots.length === 0 && <p>Loading…</p>}
      {error && <p className="message error">{describeError(error)}</p>}
      {message !== undefined && <p className="message error" role="alert">{message}</p>}
      {notice !== undefined && <p className="message" role="status">{notice}</p>}
      <label>
        Copy name, export bucket or restored cache{' '}
        <input name="actionTarget" value={target} onChange={(event) => setTarget(event.target.value)} />
      </label>
      <table>
        <thead>
          <tr><th>name</th><th>status</th><th>created</th><th /></tr>
        </thead>
        <tbody>
          {snapshots.map((snapshot) => (
            <tr key={snapshot.id} data-snapshot={snapshot.serverlessCacheSnapshotName}>
              <td>{snapshot.serverlessCacheSnapshotName}</td>
              <td data-testid="snapshot-status">
                <Status status={snapshot.status} />
                {snapshot.status !== null && TRANSITIONAL.has(snapshot.status) && (
                  <LiveStatus name={snapshot.serverlessCacheSnapshotName} onGone={() => void refetch()} />
                )}
              </td>
              <td>{snapshot.createTime === null ? '' : new Date(snapshot.createTime).toLocaleString()}</td>
              <td>
                <button type="button" disabled={snapshot.status !== 'available'} onClick={() => void remove(snapshot.serverlessCacheSnapshotName)}>
                  Delete
                </button>{' '}
                <button type="button" disabled={snapshot.status !== 'available' || target === ''} onClick={() => void copy(snapshot.serverlessCacheSnapshotName)}>
                  Copy
                </button>{' '}
                <button type="button" disabled={snapshot.status !== 'available' || target === ''} onClick={() => void exportTo(snapshot.serverlessCacheSnapshotName)}>
                  Export
                </button>{' '}
                <button type="button" disabled={snapshot.status !== 'available' || target === ''} onClick={() => void restore(snapshot.serverlessCacheSnapshotName)}>
                  Restore
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

interface TagRow {
  key: string;
  value: string;
}

function Field({ id, label, errors, children }: { id: string; label: string; errors: Record<string, string>; children: React.ReactNode }) {
  return (
    <label>
      {label} {children}
      {errors[id] !== undefined && (
        <span className="field-error" role="alert" data-error-for={id}>
          {errors[id]}
        </span>
      )}
    </label>
  );
}

function CreateForm({ cacheNames, cacheName, onCreated }: { cacheNames: string[]; cacheName: string | undefined; onCreated: (cache: string) => void }) {
  const [name, setName] = useState('');
  const [cache, setCache] = useState('');
  const [tags, setTags] = useState<TagRow[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const [create, { loading }] = useMutation(CreateServerlessCacheSnapshotDocument);
  const chosenCache = cache || cacheName || cacheNames[0] || '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setMessage(undefined);
    const input = {
      serverlessCacheSnapshotName: name,
      serverlessCacheName: chosenCache,
      tags: tags.length === 0 ? undefined : tags,
      // One key per user action: a retry of this submit cannot create a second snapshot.
      idempotencyKey: crypto.randomUUID(),
    };
    try {
      const { data } = await create({ variables: { input } });
      const result = data?.createServerlessCacheSnapshot;
      if (!result) return;
      switch (result.__typename) {
        case 'CreateServerlessCacheSnapshotSuccess':
          setMessage({ ok: true, text: `Creating ${result.serverlessCacheSnapshot.serverlessCacheSnapshotName}` });
          setName('');
          setTags([]);
          onCreated(chosenCache);
          return;
        case 'InvalidParameterValueException':
          // field is the path in `input`: tags.3.key marks the fourth tag's key.
          if (result.field !== null && result.field.length > 0) setErrors({ [result.field.join('.')]: result.message });
          else setMessage({ ok: false, text: result.message });
          return;
        case 'ServerlessCacheSnapshotAlreadyExistsFault':
          setErrors({ serverlessCacheSnapshotName: result.message });
          setMessage({ ok: false, text: result.message });
          return;
        case 'ServerlessCacheNotFoundFault':
        case 'InvalidServerlessCacheStateFault':
        case 'ServerlessCacheSnapshotQuotaExceededFault':
          setErrors({ serverlessCacheName: result.message });
          return;
        case 'TagQuotaPerResourceExceeded':
          setErrors({ tags: result.message });
          return;
        case 'ServiceLinkedRoleNotFoundFault':
        case 'InvalidParameterCombinationException':
          setMessage({ ok: false, text: result.message });
          return;
        default:
          setMessage({ ok: false, text: unknownMember(result).message ?? `Unexpected answer ${unknownMember(result).__typename}` });
      }
    } catch (failure) {
      setMessage({ ok: false, text: describeError(failure) });
    }
  };
  const setTag = (index: number, change: Partial<TagRow>) => setTags(tags.map((tag, i) => (i === index ? { ...tag, ...change } : tag)));
  return (
    <section aria-label="create a snapshot" className="wide">
      <h2>Create a snapshot</h2>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Field id="serverlessCacheSnapshotName" label="Name" errors={errors}>
          <input name="serverlessCacheSnapshotName" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={errors.serverlessCacheSnapshotName !== undefined} />
        </Field>
        <Field id="serverlessCacheName" label="Cache" errors={errors}>
          <select name="serverlessCacheName" value={chosenCache} onChange={(e) => setCache(e.target.value)} aria-invalid={errors.serverlessCacheName !== undefined}>
            {cacheNames.map((c) => (
              <option key={c} value={c}>{c}</option>
            ))}
          </select>
        </Field>
        <div>
          Tags {errors.tags !== undefined && <span className="field-error" role="alert" data-error-for="tags">{errors.tags}</span>}
          {tags.map((tag, i) => (
            <div className="tag" key={i}>
              <input name={`tags.${i}.key`} placeholder="key" value={tag.key} onChange={(e) => setTag(i, { key: e.target.value })} aria-invalid={errors[`tags.${i}.key`] !== undefined} />
              <input name={`tags.${i}.value`} placeholder="value" value={tag.value} onChange={(e) => setTag(i, { value: e.target.value })} aria-invalid={errors[`tags.${i}.value`] !== undefined} />
              <button type="button" onClick={() => setTags(tags.filter((_, j) => j !== i))}>Remove</button>
              {errors[`tags.${i}.key`] !== undefined && <span className="field-error" role="alert" data-error-for={`tags.${i}.key`}>{errors[`tags.${i}.key`]}</span>}
              {errors[`tags.${i}.value`] !== undefined && <span className="field-error" role="alert" data-error-for={`tags.${i}.value`}>{errors[`tags.${i}.value`]}</span>}
            </div>
          ))}
          <button type="button" onClick={() => setTags([...tags, { key: '', value: '' }])}>Add tag</button>
        </div>
        <p>
          <button type="submit" disabled={loading || chosenCache === ''}>Create snapshot</button>
        </p>
        {message !== undefined && (
          <p className={`message ${message.ok ? 'ok' : 'error'}`} data-testid="form-message">
            {message.text}
          </p>
        )}
      </form>
    </section>
  );
}

function Console() {
  const [selected, setSelected] = useState<string | undefined>();
  const [generation, setGeneration] = useState(0);
  const { data } = useQuery(ServerlessCachesDocument, { variables: { first: 50 } });
  const cacheNames = data?.serverlessCaches.edges.map((edge) => edge.node.serverlessCacheName) ?? [];
  return (
    <main>
      <Caches selected={selected} onSelect={setSelected} />
      {selected !== undefined ? <Snapshots key={`${selected}:${generation}`} cacheName={selected} /> : <section />}
      <CreateForm
        cacheNames={cacheNames}
        cacheName={selected}
        onCreated={(cache) => {
          setSelected(cache);
          // Remount the list: it asks the gateway again and shows the new snapshot, which it then follows live.
          setGeneration((g) => g + 1);
        }}
      />
    </main>
  );
}

export function App() {
  const [credential, setCredential] = useState<Credential>({ kind: 'none' });
  const [connection, setConnection] = useState<Connection | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => {
    let current: Connection | undefined;
    let cancelled = false;
    setConnection(undefined);
    setProblem(undefined);
    connect(credential).then(
      (made) => {
        if (cancelled) return made.close();
        current = made;
        setConnection(made);
      },
      (error: unknown) => {
        if (!cancelled)
          setProblem(
            error instanceof Error && error.message === 'UNAUTHENTICATED'
              ? 'This gateway requires a credential: paste a bearer token or an API key.'
              : `Cannot reach the gateway: ${String(error)}`,
          );
      },
    );
    return () => {
      cancelled = true;
      current?.close();
    };
  }, [credential]);
  return (
    <>
      <header>
        <h1>ElastiCache snapshots</h1>
        <Credentials onChange={setCredential} problem={problem} />
      </header>
      {connection !== undefined && (
        <ApolloProvider client={connection.client}>
          <Console />
        </ApolloProvider>
      )}
    </>
  );
}
