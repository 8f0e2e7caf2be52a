import { MockedProvider, type MockedResponse } from '@apollo/client/testing';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it, vi } from 'vitest';
import {
  CREATE_WEBHOOK,
  DELETE_WEBHOOK,
  REDELIVER_WEBHOOK,
  SEND_TEST_WEBHOOK,
  WEBHOOK_DELIVERIES,
  WEBHOOKS,
} from '../graphql/operations';
import { createCache } from '../lib/apollo';
import { DELIVERY_LOG_SIZE, WebhooksPage } from './WebhooksPage';

const HOOK_ID = 'V2ViaG9vazox';
const URL = 'https://example.com/hooks/rendermart';

function webhook(patch: Record<string, unknown> = {}) {
  return {
    __typename: 'Webhook',
    id: HOOK_ID,
    url: URL,
    description: 'orders',
    events: ['GENERATION_SUCCEEDED'],
    enabled: true,
    disabledReason: null,
    createdAt: '2026-01-01T00:00:00Z',
    ...patch,
  };
}

function delivery(id: string, patch: Record<string, unknown> = {}) {
  return {
    __typename: 'WebhookDelivery',
    id,
    event: 'generation.succeeded',
    status: 'DELIVERED',
    attempts: 1,
    responseStatus: 204,
    responseBody: null,
    lastError: null,
    createdAt: '2026-01-01T00:00:00Z',
    nextAttemptAt: null,
    deliveredAt: '2026-01-01T00:00:01Z',
    ...patch,
  };
}

const viewer = (hooks: unknown[]) => ({ data: { viewer: { __typename: 'User', id: 'VXNlcjox', webhooks: hooks } } });

const deliveriesResult = (nodes: unknown[]) => ({
  data: { node: { __typename: 'Webhook', id: HOOK_ID, deliveries: { __typename: 'WebhookDeliveryConnection', nodes } } },
});

function renderPage(mocks: MockedResponse[]) {
  render(
    <MockedProvider mocks={mocks} cache={createCache()}>
      <MemoryRouter initialEntries={['/settings/webhooks']}>
        <WebhooksPage />
      </MemoryRouter>
    </MockedProvider>,
  );
  return userEvent.setup();
}

describe('WebhooksPage', () => {
  it('creates a webhook for the chosen events and shows its signing secret once', async () => {
    const create = vi.fn(() => ({
      data: { createWebhook: { __typename: 'CreateWebhookPayload', webhook: webhook(), secret: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5' } },
    }));
    const user = renderPage([
      { request: { query: WEBHOOKS }, result: viewer([]) },
      {
        request: {
          query: CREATE_WEBHOOK,
          variables: { input: { url: URL, events: ['GENERATION_SUCCEEDED', 'BATCH_COMPLETED'], description: 'orders' } },
        },
        result: create,
      },
      { request: { query: WEBHOOKS }, result: viewer([webhook()]) },
    ]);
    expect(await screen.findByText('No webhooks yet.')).toBeInTheDocument();
    const add = screen.getByRole('button', { name: 'Add webhook' });
    await user.type(screen.getByLabelText('Endpoint URL'), URL);
    await user.type(screen.getByLabelText('Description (optional)'), 'orders');
    // No event chosen yet: nothing to subscribe to.
    expect(add).toBeDisabled();
    await user.click(screen.getByLabelText('Generation succeeded'));
    await user.click(screen.getByLabelText('Batch completed'));
    await user.click(add);

    const secret = await screen.findByTestId('webhook-secret');
    expect(secret).toHaveTextContent('whsec_c2VjcmV0LXNpZ25pbmcta2V5');
    expect(create).toHaveBeenCalledTimes(1);
    expect(screen.getByText(/will not be shown again/)).toBeInTheDocument();
    // The form is cleared, and the new webhook is listed (refetched).
    expect(screen.getByLabelText('Endpoint URL')).toHaveValue('');
    const list = await screen.findByRole('list', { name: 'Your webhooks' });
    expect(within(list).getByText(URL)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('webhook-secret')).not.toBeInTheDocument();
    expect(screen.queryByText(/whsec_/)).not.toBeInTheDocument();
  });

  it('shows why a webhook is disabled', async () => {
    renderPage([
      { request: { query: WEBHOOKS }, result: viewer([webhook({ enabled: false, disabledReason: 'The endpoint answered 410 Gone.' })]) },
    ]);
    expect(await screen.findByText('Disabled')).toBeInTheDocument();
    expect(screen.getByText('The endpoint answered 410 Gone.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Enable' })).toBeInTheDocument();
  });

  it('renders the delivery log and redelivers a failed delivery', async () => {
    const failed = delivery('RGVsOjI', {
      status: 'FAILED',
      attempts: 8,
      responseStatus: 500,
      responseBody: 'upstream exploded',
      lastError: 'HTTP 500 Internal Server Error',
      deliveredAt: null,
    });
    const ok = delivery('RGVsOjE');
    let log = [failed, ok];
    const redeliver = vi.fn(() => {
      log = [{ ...failed, status: 'DELIVERED', attempts: 9, responseStatus: 204, lastError: null, responseBody: null, deliveredAt: '2026-01-02T00:00:00Z' }, ok];
      return { data: { redeliverWebhook: log[0] } };
    });
    const user = renderPage([
      { request: { query: WEBHOOKS }, result: viewer([webhook()]) },
      {
        request: { query: WEBHOOK_DELIVERIES, variables: { id: HOOK_ID, first: DELIVERY_LOG_SIZE } },
        result: () => deliveriesResult(log),
        maxUsageCount: Number.POSITIVE_INFINITY,
      },
      { request: { query: REDELIVER_WEBHOOK, variables: { deliveryId: failed.id } }, result: redeliver },
    ]);
    const toggle = await screen.findByRole('button', { name: 'Show deliveries' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(screen.getByRole('button', { name: 'Hide deliveries' })).toHaveAttribute('aria-expanded', 'true');

    const table = await screen.findByRole('table', { name: `Deliveries to ${URL}, newest first` });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText('generation.succeeded')).toBeInTheDocument();
    expect(within(rows[0]).getByText('Failed')).toBeInTheDocument();
    expect(within(rows[0]).getByText('8')).toBeInTheDocument();
    expect(within(rows[0]).getByText('500')).toBeInTheDocument();
    expect(within(rows[0]).getByText('HTTP 500 Internal Server Error')).toBeInTheDocument();
    expect(within(rows[0]).getByText('upstream exploded')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Delivered')).toBeInTheDocument();
    expect(within(rows[1]).getByText('204')).toBeInTheDocument();

    await user.click(within(rows[0]).getByRole('button', { name: /^Redeliver generation\.succeeded/ }));
    expect(redeliver).toHaveBeenCalledTimes(1);
    // The log is fetched again: the delivery went through this time.
    await within(table).findByText('9');
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.dataset.status)).toEqual(['DELIVERED', 'DELIVERED']);
  });

  it('sends a test delivery, which shows in the open log', async () => {
    const test = delivery('RGVsOjM', { event: 'webhook.test', status: 'PENDING', attempts: 0, responseStatus: null, deliveredAt: null });
    const send = vi.fn(() => ({ data: { sendTestWebhook: test } }));
    const user = renderPage([
      { request: { query: WEBHOOKS }, result: viewer([webhook()]) },
      {
        request: { query: WEBHOOK_DELIVERIES, variables: { id: HOOK_ID, first: DELIVERY_LOG_SIZE } },
        result: deliveriesResult([]),
      },
      { request: { query: SEND_TEST_WEBHOOK, variables: { id: HOOK_ID } }, result: send },
    ]);
    await user.click(await screen.findByRole('button', { name: 'Show deliveries' }));
    expect(await screen.findByText(/No deliveries yet/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send test' }));
    expect(await screen.findByText(/Test delivery queued/)).toBeInTheDocument();
    expect(send).toHaveBeenCalledTimes(1);
    const row = (await screen.findByText('webhook.test')).closest('tr');
    expect(row).toHaveAttribute('data-status', 'PENDING');
  });

  it('deletes a webhook only after a confirmation', async () => {
    const remove = vi.fn(() => ({ data: { deleteWebhook: HOOK_ID } }));
    const user = renderPage([
      { request: { query: WEBHOOKS }, result: viewer([webhook()]) },
      { request: { query: DELETE_WEBHOOK, variables: { id: HOOK_ID } }, result: remove },
    ]);
    await user.click(await screen.findByRole('button', { name: 'Delete…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Confirm delete' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(remove).not.toHaveBeenCalled();
    expect(screen.getByText(URL)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Delete…' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(await screen.findByText('No webhooks yet.')).toBeInTheDocument();
    expect(remove).toHaveBeenCalledTimes(1);
  });
});
