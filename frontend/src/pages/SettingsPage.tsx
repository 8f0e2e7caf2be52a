import { useMutation, useQuery } from '@apollo/client';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ErrorMessage } from '../components/ErrorMessage';
import { OneTimeSecret } from '../components/OneTimeSecret';
import { SelectField } from '../components/SelectField';
import { buttonDanger, buttonPrimary, buttonSecondary, card, inputClass, labelClass, PageHeader, Spinner } from '../components/ui';
import { graphql } from '../graphql/generated';
import type { SettingsQuery } from '../graphql/generated/graphql';
import { CREATE_API_KEY, REVOKE_API_KEY, SETTINGS, UPDATE_PREFERENCES } from '../graphql/operations';
import { drawsFromText, humanize, modelLabel, sizeKey, type Model } from '../lib/models';

/** The defaults `generateImages` falls back to, as the form below edits them. */
export const PREFERENCES_FIELDS = graphql(`
  fragment PreferencesFields on Preferences {
    defaultModel
    width
    height
    count
    stylePreset
    negativePrompt
  }
`);

export function SettingsPage() {
  const { data, loading, error, refetch } = useQuery(SETTINGS);
  if (loading && !data) return <Spinner label="Loading settings" />;
  if (!data?.viewer) return <ErrorMessage error={error} />;
  return (
    <div className="space-y-8">
      <PageHeader title="Settings" />
      <PreferencesForm viewer={data.viewer} models={data.models.filter(drawsFromText)} />
      <ApiKeys keys={data.viewer.apiKeys ?? []} onChange={() => void refetch()} />
      <section className={card} aria-labelledby="webhooks">
        <h2 id="webhooks" className="text-lg font-semibold">Webhooks</h2>
        <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
          Let RenderMart call your server when a generation starts, finishes or fails, or when a batch completes.
        </p>
        <Link to="/settings/webhooks" className={`${buttonSecondary} mt-3`}>
          Manage webhooks
        </Link>
      </section>
      <section className={card} aria-labelledby="integrators">
        <h2 id="integrators" className="text-lg font-semibold">For integrators</h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Everything this site does is available through the GraphQL API. Send an API key as{' '}
          <code className="rounded bg-zinc-100 px-1 dark:bg-zinc-800">Authorization: Bearer …</code>.
        </p>
        <a href="/api/graphql" className={`${buttonSecondary} mt-3`} target="_blank" rel="noreferrer">
          Open GraphiQL
        </a>
      </section>
    </div>
  );
}

type Viewer = NonNullable<SettingsQuery['viewer']>;

function PreferencesForm({ viewer, models }: { viewer: Viewer; models: Model[] }) {
  const id = useId();
  const p = viewer.preferences ?? {
    defaultModel: null,
    width: null,
    height: null,
    count: null,
    stylePreset: null,
    negativePrompt: null,
  };
  const [modelId, setModelId] = useState(p.defaultModel ?? models[0]?.id ?? '');
  const [size, setSize] = useState(p.width && p.height ? sizeKey(p.width, p.height) : '');
  const [style, setStyle] = useState(p.stylePreset ?? '');
  const [negative, setNegative] = useState(p.negativePrompt ?? '');
  const [saved, setSaved] = useState(false);
  const [save, state] = useMutation(UPDATE_PREFERENCES);
  const model = models.find((m) => m.id === modelId);

  // Sizes worth offering: the model's fixed list or its suggestions, else its default.
  const sizes = model
    ? model.capabilities.sizes.length > 0
      ? model.capabilities.sizes
      : [{ width: model.defaults.width, height: model.defaults.height }]
    : [];
  useEffect(() => {
    if (size && !sizes.some((s) => sizeKey(s.width, s.height) === size)) setSize('');
    if (style && model && !model.capabilities.stylePresets.includes(style)) setStyle('');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [modelId]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Left-out fields stay as they are; an empty string clears a text preference.
    const [w, h] = size ? size.split('x').map(Number) : [undefined, undefined];
    try {
      await save({
        variables: {
          input: { defaultModel: modelId, width: w, height: h, stylePreset: style, negativePrompt: negative },
        },
      });
      setSaved(true);
    } catch {
      setSaved(false);
    }
  };

  return (
    <section className={card} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="text-lg font-semibold">Generation defaults</h2>
      <p className="mb-4 mt-1 text-sm text-zinc-500 dark:text-zinc-400">Used whenever you do not choose otherwise on the Generate page.</p>
      <form onSubmit={submit} className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Default model"
          value={modelId}
          onChange={(v) => { setModelId(v); setSaved(false); }}
          options={models.map((m) => ({ value: m.id, label: modelLabel(m) }))}
        />
        <SelectField
          label="Default size"
          value={size}
          onChange={(v) => { setSize(v); setSaved(false); }}
          options={[
            { value: '', label: 'Model default' },
            ...sizes.map((s) => ({ value: sizeKey(s.width, s.height), label: `${s.width} × ${s.height}` })),
          ]}
        />
        <SelectField
          label="Default style"
          value={style}
          onChange={(v) => { setStyle(v); setSaved(false); }}
          disabled={!model || model.capabilities.stylePresets.length === 0}
          options={[{ value: '', label: 'None' }, ...(model?.capabilities.stylePresets ?? []).map((p) => ({ value: p, label: humanize(p) }))]}
        />
        <div className="sm:col-span-2">
          <label htmlFor={`${id}-neg`} className={labelClass}>Default negative prompt</label>
          <textarea id={`${id}-neg`} rows={2} value={negative} onChange={(e) => { setNegative(e.target.value); setSaved(false); }} className={inputClass} />
        </div>
        <div className="flex items-center gap-3 sm:col-span-2">
          <button type="submit" className={buttonPrimary} disabled={state.loading}>
            {state.loading ? 'Saving…' : 'Save defaults'}
          </button>
          {saved ? <span role="status" className="text-sm text-emerald-700 dark:text-emerald-400">Saved.</span> : null}
        </div>
        <ErrorMessage error={state.error} className="sm:col-span-2" />
      </form>
    </section>
  );
}

function ApiKeys({ keys, onChange }: { keys: NonNullable<Viewer['apiKeys']>; onChange: () => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [create, createState] = useMutation(CREATE_API_KEY);
  const [revoke, revokeState] = useMutation(REVOKE_API_KEY);
  const [revoking, setRevoking] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const res = await create({ variables: { name: name.trim() } });
      if (res.data) {
        setSecret(res.data.createApiKey.secret);
        setName('');
        onChange();
      }
    } catch {
      // Shown through createState.error.
    }
  };

  return (
    <section className={card} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="text-lg font-semibold">API keys</h2>
      <p className="mb-4 mt-1 text-sm text-zinc-500 dark:text-zinc-400">Keys act as you in scripts and integrations. Revoke any you no longer use.</p>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <div className="min-w-48 flex-1">
          <label htmlFor={`${id}-name`} className={labelClass}>Key name</label>
          <input id={`${id}-name`} required value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. my-script" className={inputClass} />
        </div>
        <button type="submit" className={buttonPrimary} disabled={createState.loading || !name.trim()}>
          Create key
        </button>
      </form>
      <ErrorMessage error={createState.error ?? revokeState.error} className="mt-3" />
      {secret ? (
        <OneTimeSecret
          key={secret}
          secret={secret}
          title="Copy this key now. It will not be shown again."
          copyLabel="Copy key"
          testId="api-key-secret"
          onDone={() => setSecret(null)}
        />
      ) : null}
      {keys.length > 0 ? (
        <ul className="mt-4 divide-y divide-zinc-200 dark:divide-zinc-800" aria-label="Your API keys">
          {keys.map((k) => (
            <li key={k.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
              <div>
                <p className="font-medium">{k.name}</p>
                <p className="text-xs text-zinc-500 dark:text-zinc-400">
                  <code>{k.prefix}…</code> · created {new Date(k.createdAt).toLocaleDateString()} ·{' '}
                  {k.lastUsedAt ? `last used ${new Date(k.lastUsedAt).toLocaleString()}` : 'never used'}
                </p>
              </div>
              {revoking === k.id ? (
                <div className="flex gap-2">
                  <button
                    type="button"
                    className={buttonDanger}
                    onClick={() =>
                      revoke({ variables: { id: k.id } }).then(
                        () => { setRevoking(null); onChange(); },
                        () => setRevoking(null),
                      )
                    }
                  >
                    Yes, revoke {k.name}
                  </button>
                  <button type="button" className={buttonSecondary} onClick={() => setRevoking(null)}>Keep</button>
                </div>
              ) : (
                <button type="button" className={buttonSecondary} onClick={() => setRevoking(k.id)} aria-label={`Revoke ${k.name}`}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-4 text-sm text-zinc-500 dark:text-zinc-400">No API keys yet.</p>
      )}
    </section>
  );
}
