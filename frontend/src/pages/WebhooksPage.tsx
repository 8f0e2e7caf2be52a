import { useMutation, useQuery, type Reference } from '@apollo/client';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ErrorMessage } from '../components/ErrorMessage';
import { OneTimeSecret } from '../components/OneTimeSecret';
import { buttonDanger, buttonPrimary, buttonSecondary, card, FieldError, inputClass, labelClass, PageHeader, Spinner } from '../components/ui';
import { graphql } from '../graphql/generated';
import type {
  WebhookDeliveryFieldsFragment,
  WebhookDeliveryStatus,
  WebhookEvent,
  WebhookFieldsFragment,
} from '../graphql/generated/graphql';
import {
  CREATE_WEBHOOK,
  DELETE_WEBHOOK,
  REDELIVER_WEBHOOK,
  ROTATE_WEBHOOK_SECRET,
  SEND_TEST_WEBHOOK,
  UPDATE_WEBHOOK,
  WEBHOOK_DELIVERIES,
  WEBHOOKS,
} from '../graphql/operations';
import { describeError, fieldProblem, withoutFields } from '../lib/errors';

export const WEBHOOK_FIELDS = graphql(`
  fragment WebhookFields on Webhook {
    id
    url
    description
    events
    enabled
    disabledReason
    createdAt
  }
`);

/** One row of the delivery log; also written into the cache when a test send queues one. */
export const WEBHOOK_DELIVERY_FIELDS = graphql(`
  fragment WebhookDeliveryFields on WebhookDelivery {
    id
    event
    status
    attempts
    responseStatus
    responseBody
    lastError
    createdAt
    nextAttemptAt
    deliveredAt
  }
`);

/** Every event an endpoint can subscribe to, with the `type` its deliveries carry. */
export const WEBHOOK_EVENTS: ReadonlyArray<{ value: WebhookEvent; label: string; type: string }> = [
  { value: 'GENERATION_STARTED', label: 'Generation started', type: 'generation.started' },
  { value: 'GENERATION_SUCCEEDED', label: 'Generation succeeded', type: 'generation.succeeded' },
  { value: 'GENERATION_FAILED', label: 'Generation failed', type: 'generation.failed' },
  { value: 'GENERATION_CANCELLED', label: 'Generation cancelled', type: 'generation.cancelled' },
  { value: 'BATCH_COMPLETED', label: 'Batch completed', type: 'batch.completed' },
];

/** How many deliveries the log shows, and how often it refreshes while open. */
export const DELIVERY_LOG_SIZE = 20;
export const DELIVERY_LOG_POLL_MS = 3000;

const when = (iso: string) => new Date(iso).toLocaleString();

/** Settings → Webhooks: the viewer's endpoints, each with its delivery log. */
export function WebhooksPage() {
  const { data, loading, error, refetch } = useQuery(WEBHOOKS, { fetchPolicy: 'cache-and-network' });
  const hooks = data?.viewer?.webhooks ?? [];
  return (
    <div className="space-y-8">
      <PageHeader title="Webhooks">
        <Link to="/settings" className={buttonSecondary}>
          Back to settings
        </Link>
      </PageHeader>
      <p className="-mt-4 max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">
        RenderMart sends a signed JSON <code>POST</code> to your endpoint when an event you chose happens. Each request
        carries <code>webhook-id</code>, <code>webhook-timestamp</code> and <code>webhook-signature</code> headers; verify
        the signature with the endpoint’s signing secret. Failed deliveries are retried.
      </p>
      <AddWebhook onCreated={() => void refetch()} />
      <section className={card} aria-labelledby="webhooks-h">
        <h2 id="webhooks-h" className="text-lg font-semibold">Your webhooks</h2>
        {loading && !data ? (
          <Spinner label="Loading webhooks" />
        ) : error && !data ? (
          <ErrorMessage error={error} className="mt-3" />
        ) : hooks.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">No webhooks yet.</p>
        ) : (
          <ul className="mt-2 divide-y divide-zinc-200 dark:divide-zinc-800" aria-label="Your webhooks">
            {hooks.map((h) => (
              <WebhookItem key={h.id} hook={h} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function AddWebhook({ onCreated }: { onCreated: () => void }) {
  const id = useId();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [create, state] = useMutation(CREATE_WEBHOOK);
  const problems = describeError(state.error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!url.trim() || events.length === 0) return;
    try {
      const res = await create({
        variables: { input: { url: url.trim(), events, description: description.trim() || undefined } },
      });
      if (res.data) {
        setSecret(res.data.createWebhook.secret);
        setUrl('');
        setDescription('');
        setEvents([]);
        onCreated();
      }
    } catch {
      // Shown through state.error.
    }
  };

  const err = (field: string) => fieldProblem(problems, field)?.detail ?? fieldProblem(problems, field)?.title;
  return (
    <section className={card} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="text-lg font-semibold">Add a webhook</h2>
      <form onSubmit={submit} className="mt-4 grid gap-4 sm:grid-cols-2" aria-label="Add a webhook">
        <div>
          <label htmlFor={`${id}-url`} className={labelClass}>Endpoint URL</label>
          <input
            id={`${id}-url`}
            name="url"
            type="url"
            required
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://example.com/hooks/rendermart"
            className={inputClass}
            aria-invalid={err('url') ? true : undefined}
            aria-describedby={`${id}-url-error`}
          />
          <FieldError id={`${id}-url-error`}>{err('url')}</FieldError>
        </div>
        <div>
          <label htmlFor={`${id}-desc`} className={labelClass}>Description (optional)</label>
          <input
            id={`${id}-desc`}
            name="description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            placeholder="e.g. order system"
            className={inputClass}
          />
        </div>
        <fieldset className="sm:col-span-2" aria-describedby={`${id}-events-error`}>
          <legend className={labelClass}>Events</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {WEBHOOK_EVENTS.map((ev) => (
              <div key={ev.value} className="flex flex-wrap items-center gap-x-2 text-sm">
                <label className="inline-flex items-center gap-2">
                  <input
                    type="checkbox"
                    name="events"
                    value={ev.value}
                    checked={events.includes(ev.value)}
                    onChange={(e) =>
                      setEvents(e.target.checked ? [...events, ev.value] : events.filter((x) => x !== ev.value))
                    }
                    className="h-4 w-4 accent-violet-600"
                  />
                  {ev.label}
                </label>
                <code className="text-xs text-zinc-500 dark:text-zinc-400">{ev.type}</code>
              </div>
            ))}
          </div>
          <FieldError id={`${id}-events-error`}>{err('events')}</FieldError>
        </fieldset>
        <div className="flex flex-wrap items-center gap-3 sm:col-span-2">
          <button type="submit" className={buttonPrimary} disabled={state.loading || !url.trim() || events.length === 0}>
            {state.loading ? 'Adding…' : 'Add webhook'}
          </button>
          {events.length === 0 ? (
            <span className="text-sm text-zinc-500 dark:text-zinc-400">Choose at least one event.</span>
          ) : null}
        </div>
        <ErrorMessage problems={withoutFields(problems, ['url', 'events'])} className="sm:col-span-2" />
      </form>
      {secret ? (
        <OneTimeSecret
          key={secret}
          secret={secret}
          title="Copy this signing secret now. It will not be shown again."
          copyLabel="Copy secret"
          testId="webhook-secret"
          onDone={() => setSecret(null)}
        >
          <p className="mt-1 text-emerald-900 dark:text-emerald-200">
            Your endpoint uses it to check the <code>webhook-signature</code> header. Lost it? Rotate the secret.
          </p>
        </OneTimeSecret>
      ) : null}
    </section>
  );
}

function WebhookItem({ hook }: { hook: WebhookFieldsFragment }) {
  const id = useId();
  const urlId = `${id}-url`;
  const logId = `${id}-log`;
  const [showLog, setShowLog] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState<{ secret: string; previousUntil: string } | null>(null);
  const [testQueued, setTestQueued] = useState(false);
  const [update, updateState] = useMutation(UPDATE_WEBHOOK);
  const [rotate, rotateState] = useMutation(ROTATE_WEBHOOK_SECRET);
  const [sendTest, testState] = useMutation(SEND_TEST_WEBHOOK, {
    // A log already loaded shows the new delivery at once, on top; an unloaded one fetches it.
    update: (cache, { data }) => {
      const delivery = data?.sendTestWebhook;
      if (!delivery) return;
      const ref = cache.writeFragment({ data: delivery, fragment: WEBHOOK_DELIVERY_FIELDS });
      cache.modify({
        id: cache.identify({ __typename: 'Webhook', id: hook.id }),
        fields: {
          deliveries: (value, { readField }) => {
            const existing = value as { nodes?: Reference[] } | undefined;
            if (!existing?.nodes || !ref || existing.nodes.some((n) => readField('id', n) === delivery.id)) return value;
            return { ...existing, nodes: [ref, ...existing.nodes] };
          },
        },
      });
    },
  });
  const [remove, removeState] = useMutation(DELETE_WEBHOOK, {
    // Lists drop references to an evicted object, so the webhook leaves `viewer.webhooks` too.
    update: (cache) => {
      cache.evict({ id: cache.identify({ __typename: 'Webhook', id: hook.id }) });
      cache.gc();
    },
  });

  const test = async () => {
    setTestQueued(false);
    try {
      await sendTest({ variables: { id: hook.id } });
      setTestQueued(true);
      setShowLog(true);
    } catch {
      // Shown through testState.error.
    }
  };
  const rotateSecret = async () => {
    try {
      const res = await rotate({ variables: { id: hook.id } });
      if (res.data) {
        const r = res.data.rotateWebhookSecret;
        setRotated({ secret: r.secret, previousUntil: r.previousSecretExpiresAt });
      }
    } catch {
      // Shown through rotateState.error.
    }
  };

  return (
    <li className="space-y-3 py-4" data-enabled={hook.enabled}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 flex-1">
          <p id={urlId} className="break-all font-mono text-sm font-medium">{hook.url}</p>
          {hook.description ? <p className="text-sm text-zinc-600 dark:text-zinc-400">{hook.description}</p> : null}
          <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            {hook.events.map((e) => WEBHOOK_EVENTS.find((ev) => ev.value === e)?.type ?? e).join(', ')} · added{' '}
            {new Date(hook.createdAt).toLocaleDateString()}
          </p>
        </div>
        <div className="text-right">
          <span
            className={`rounded-full px-2.5 py-1 text-xs font-semibold ${
              hook.enabled
                ? 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200'
                : 'bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200'
            }`}
          >
            {hook.enabled ? 'Enabled' : 'Disabled'}
          </span>
          {!hook.enabled && hook.disabledReason ? (
            <p className="mt-1 max-w-xs text-xs text-amber-800 dark:text-amber-200">{hook.disabledReason}</p>
          ) : null}
        </div>
      </div>

      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          className={buttonSecondary}
          aria-expanded={showLog}
          aria-controls={logId}
          aria-describedby={urlId}
          onClick={() => setShowLog(!showLog)}
        >
          {showLog ? 'Hide deliveries' : 'Show deliveries'}
        </button>
        <button type="button" className={buttonSecondary} aria-describedby={urlId} onClick={test} disabled={testState.loading}>
          {testState.loading ? 'Sending…' : 'Send test'}
        </button>
        <button
          type="button"
          className={buttonSecondary}
          aria-describedby={urlId}
          disabled={updateState.loading}
          onClick={() => update({ variables: { input: { id: hook.id, enabled: !hook.enabled } } }).catch(() => undefined)}
        >
          {hook.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className={buttonSecondary} aria-describedby={urlId} onClick={rotateSecret} disabled={rotateState.loading}>
          Rotate secret
        </button>
        {!confirming ? (
          <button type="button" className={buttonSecondary} aria-describedby={urlId} onClick={() => setConfirming(true)}>
            Delete…
          </button>
        ) : null}
      </div>

      {confirming ? (
        <div role="alertdialog" aria-label="Confirm delete" aria-describedby={`${id}-confirm`} className="rounded-xl border border-red-300 bg-red-50 p-3 text-sm dark:border-red-800 dark:bg-red-950/50">
          <p id={`${id}-confirm`} className="mb-2 font-medium text-red-800 dark:text-red-200">
            Delete the webhook to <span className="break-all font-mono">{hook.url}</span>? It gets no more deliveries.
          </p>
          <div className="flex gap-2">
            <button
              type="button"
              className={buttonDanger}
              disabled={removeState.loading}
              autoFocus
              onClick={() => remove({ variables: { id: hook.id } }).catch(() => setConfirming(false))}
            >
              {removeState.loading ? 'Deleting…' : 'Yes, delete'}
            </button>
            <button type="button" className={buttonSecondary} onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      ) : null}

      {testQueued ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          Test delivery queued: it shows in the log below.
        </p>
      ) : null}
      {rotated ? (
        <OneTimeSecret
          key={rotated.secret}
          secret={rotated.secret}
          title="Copy the new signing secret now. It will not be shown again."
          copyLabel="Copy secret"
          testId="webhook-rotated-secret"
          onDone={() => setRotated(null)}
        >
          <p className="mt-1 text-emerald-900 dark:text-emerald-200">
            The previous secret also signs deliveries until {when(rotated.previousUntil)}.
          </p>
        </OneTimeSecret>
      ) : null}
      <ErrorMessage error={updateState.error ?? testState.error ?? rotateState.error ?? removeState.error} />

      {showLog ? <DeliveryLog id={logId} webhookId={hook.id} url={hook.url} /> : null}
    </li>
  );
}

const DELIVERY_STATUS: Record<WebhookDeliveryStatus, { text: string; style: string }> = {
  PENDING: { text: 'Pending', style: 'bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200' },
  DELIVERED: { text: 'Delivered', style: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200' },
  FAILED: { text: 'Failed', style: 'bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200' },
};

/** The webhook's latest deliveries, newest first, refreshed every few seconds while shown. */
export function DeliveryLog({ id, webhookId, url }: { id: string; webhookId: string; url: string }) {
  const { data, loading, error, refetch } = useQuery(WEBHOOK_DELIVERIES, {
    variables: { id: webhookId, first: DELIVERY_LOG_SIZE },
    fetchPolicy: 'cache-and-network',
    pollInterval: DELIVERY_LOG_POLL_MS,
    // Nobody is looking at a hidden tab.
    skipPollAttempt: () => typeof document !== 'undefined' && document.hidden,
    notifyOnNetworkStatusChange: false,
  });
  const [redeliver, redeliverState] = useMutation(REDELIVER_WEBHOOK);
  const [redelivering, setRedelivering] = useState<string | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const node = data?.node;
  const deliveries = node && 'deliveries' in node ? node.deliveries.nodes : [];

  const again = async (deliveryId: string) => {
    setRedelivering(deliveryId);
    try {
      await redeliver({ variables: { deliveryId } });
      await refetch();
    } catch {
      // Shown through redeliverState.error.
    } finally {
      setRedelivering(null);
    }
  };
  const refresh = async () => {
    setRefreshing(true);
    try {
      await refetch();
    } catch {
      // Shown through error.
    } finally {
      setRefreshing(false);
    }
  };

  return (
    <div id={id} className="rounded-xl border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-sm font-semibold">Recent deliveries</h3>
        <button type="button" className={buttonSecondary} onClick={refresh} disabled={refreshing}>
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <ErrorMessage error={redeliverState.error ?? (data ? undefined : error)} className="mb-2" />
      {loading && !data ? (
        <Spinner label="Loading deliveries" />
      ) : deliveries.length === 0 ? (
        data ? <p className="text-sm text-zinc-500 dark:text-zinc-400">No deliveries yet. Send a test to try your endpoint.</p> : null
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[40rem] text-left text-sm">
            <caption className="sr-only">Deliveries to {url}, newest first</caption>
            <thead className="text-xs text-zinc-500 dark:text-zinc-400">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">Event</th>
                <th scope="col" className="py-1 pr-3 font-medium">Status</th>
                <th scope="col" className="py-1 pr-3 font-medium">Attempts</th>
                <th scope="col" className="py-1 pr-3 font-medium">Response</th>
                <th scope="col" className="py-1 pr-3 font-medium">Created</th>
                <th scope="col" className="py-1 pr-3 font-medium">Delivered</th>
                <th scope="col" className="py-1 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 align-top dark:divide-zinc-800">
              {deliveries.map((d) => (
                <DeliveryRow key={d.id} d={d} busy={redelivering === d.id} onRedeliver={() => void again(d.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function DeliveryRow({ d, busy, onRedeliver }: { d: WebhookDeliveryFieldsFragment; busy: boolean; onRedeliver: () => void }) {
  const status = DELIVERY_STATUS[d.status] ?? { text: d.status, style: '' };
  return (
    <tr data-event={d.event} data-status={d.status}>
      <td className="py-2 pr-3"><code>{d.event}</code></td>
      <td className="py-2 pr-3">
        <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${status.style}`}>{status.text}</span>
      </td>
      <td className="py-2 pr-3 tabular-nums">{d.attempts}</td>
      <td className="max-w-xs py-2 pr-3">
        <span className="tabular-nums">{d.responseStatus ?? '—'}</span>
        {d.lastError ? <p className="break-words text-xs text-red-700 dark:text-red-300">{d.lastError}</p> : null}
        {d.responseBody ? (
          <details className="text-xs">
            <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">Response body</summary>
            <pre className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-zinc-100 p-2 dark:bg-zinc-800">{d.responseBody}</pre>
          </details>
        ) : null}
      </td>
      <td className="whitespace-nowrap py-2 pr-3">{when(d.createdAt)}</td>
      <td className="whitespace-nowrap py-2 pr-3">
        {d.deliveredAt ? when(d.deliveredAt) : d.nextAttemptAt ? `next try ${when(d.nextAttemptAt)}` : '—'}
      </td>
      <td className="py-2">
        <button
          type="button"
          className={buttonSecondary}
          onClick={onRedeliver}
          disabled={busy}
          aria-label={busy ? undefined : `Redeliver ${d.event} from ${when(d.createdAt)}`}
        >
          {busy ? 'Sending…' : 'Redeliver'}
        </button>
      </td>
    </tr>
  );
}
