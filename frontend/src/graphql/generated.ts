/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type BatchStatus =
  | 'COMPLETED'
  | 'QUEUED'
  | 'RUNNING';

export type CreateWebhookInput = {
  description?: string | null | undefined;
  events: Array<WebhookEvent>;
  url: string;
};

/**
 * Up to 50 jobs queued together, all or nothing. `seeds` repeats every request once per
 * seed, `models` once per model (both: every combination).
 */
export type GenerateBatchInput = {
  models?: Array<string> | null | undefined;
  requests: Array<GenerateImagesInput>;
  seeds?: Array<number> | null | undefined;
};

export type GenerateImagesInput = {
  cfgScale?: number | null | undefined;
  /** How many images. */
  count?: number | null | undefined;
  height?: number | null | undefined;
  /** Resending with the same key returns the same job instead of queuing another. */
  idempotencyKey?: string | null | undefined;
  /** A model id from `models`; default: your preference, then the server's first model. */
  model?: string | null | undefined;
  /** What to leave out. */
  negativePrompt?: string | null | undefined;
  /** What to draw. */
  prompt: string;
  quality?: string | null | undefined;
  /** Leave out for a random seed; the job's `params` show the seed used. */
  seed?: number | null | undefined;
  stylePreset?: string | null | undefined;
  width?: number | null | undefined;
};

/** Why a job failed (or, on a succeeded job, why some images are missing). */
export type GenerationErrorCode =
  | 'CONTENT_FILTERED'
  | 'INTERNAL'
  | 'MODEL_UNAVAILABLE'
  | 'STORAGE_FAILED'
  | 'THROTTLED'
  | 'TIMEOUT';

export type GenerationStatus =
  | 'CANCELLED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

export type ImageFilter = {
  /** Only favourites. */
  favorite?: boolean | null | undefined;
};

export type LogInInput = {
  email: string;
  password: string;
};

export type SignUpInput = {
  displayName: string;
  email: string;
  /** At least 10 characters. */
  password: string;
};

/** Fields left out are unchanged; null (or an empty string) clears a field. */
export type UpdatePreferencesInput = {
  count?: number | null | undefined;
  defaultModel?: string | null | undefined;
  height?: number | null | undefined;
  negativePrompt?: string | null | undefined;
  stylePreset?: string | null | undefined;
  width?: number | null | undefined;
};

/** Fields left out are unchanged. */
export type UpdateWebhookInput = {
  description?: string | null | undefined;
  enabled?: boolean | null | undefined;
  events?: Array<WebhookEvent> | null | undefined;
  id: string | number;
  url?: string | null | undefined;
};

export type Visibility =
  | 'PRIVATE'
  | 'PUBLIC';

export type WebhookDeliveryStatus =
  | 'DELIVERED'
  | 'FAILED'
  | 'PENDING';

export type WebhookEvent =
  | 'BATCH_COMPLETED'
  | 'GENERATION_CANCELLED'
  | 'GENERATION_FAILED'
  | 'GENERATION_STARTED'
  | 'GENERATION_SUCCEEDED';

export type ModelFieldsFragment = { id: string, name: string, provider: string, offline: boolean, description: string, capabilities: { taskTypes: Array<string>, fixedSizes: boolean, minSide: number, maxSide: number, sideStep: number, maxPixels: number | null, aspectRatios: Array<string>, maxImages: number, maxPromptLength: number, negativePrompt: boolean, seed: boolean, maxSeed: number | null, stylePresets: Array<string>, qualities: Array<string>, sizes: Array<{ width: number, height: number }>, cfgScale: { min: number, max: number, default: number } | null }, defaults: { width: number, height: number, count: number } };

export type ImageFieldsFragment = { id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null };

export type GenerationFieldsFragment = { id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> };

export type PreferencesFieldsFragment = { defaultModel: string | null, width: number | null, height: number | null, count: number | null, stylePreset: string | null, negativePrompt: string | null };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, email: string | null, displayName: string, preferences: { defaultModel: string | null, width: number | null, height: number | null, count: number | null, stylePreset: string | null, negativePrompt: string | null } | null } | null };

export type ModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsQuery = { models: Array<{ id: string, name: string, provider: string, offline: boolean, description: string, capabilities: { taskTypes: Array<string>, fixedSizes: boolean, minSide: number, maxSide: number, sideStep: number, maxPixels: number | null, aspectRatios: Array<string>, maxImages: number, maxPromptLength: number, negativePrompt: boolean, seed: boolean, maxSeed: number | null, stylePresets: Array<string>, qualities: Array<string>, sizes: Array<{ width: number, height: number }>, cfgScale: { min: number, max: number, default: number } | null }, defaults: { width: number, height: number, count: number } }> };

export type SignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type SignUpMutation = { signUp: { token: string, user: { id: string, email: string | null, displayName: string } } };

export type LogInMutationVariables = Exact<{
  input: LogInInput;
}>;


export type LogInMutation = { logIn: { token: string, user: { id: string, email: string | null, displayName: string } } };

export type GenerateImagesMutationVariables = Exact<{
  input: GenerateImagesInput;
}>;


export type GenerateImagesMutation = { generateImages: { id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> } };

export type CancelGenerationMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelGenerationMutation = { cancelGeneration: { id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> } };

export type RetryGenerationMutationVariables = Exact<{
  id: string | number;
}>;


export type RetryGenerationMutation = { retryGeneration: { id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> } };

export type GenerationUpdatesSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type GenerationUpdatesSubscription = { generationUpdates: { id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> } };

export type MyGenerationUpdatesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type MyGenerationUpdatesSubscription = { myGenerationUpdates: { id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> } };

export type GenerationsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: GenerationStatus | null | undefined;
}>;


export type GenerationsQuery = { generations: { edges: Array<{ cursor: string, node: { id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ImagesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: ImageFilter | null | undefined;
}>;


export type ImagesQuery = { images: { edges: Array<{ cursor: string, node: { id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type PublicImagesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type PublicImagesQuery = { publicImages: { edges: Array<{ cursor: string, node: { id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, owner: { id: string, displayName: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ImageDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type ImageDetailQuery = { node:
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, owner: { id: string, displayName: string } | null, generation: { id: string, model: string, params: unknown } | null, prompt: { id: string, text: string, negativeText: string | null } | null }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
   | null };

export type SetImageVisibilityMutationVariables = Exact<{
  id: string | number;
  visibility: Visibility;
}>;


export type SetImageVisibilityMutation = { setImageVisibility: { id: string, visibility: Visibility } };

export type SetImageFavoriteMutationVariables = Exact<{
  id: string | number;
  favorite: boolean;
}>;


export type SetImageFavoriteMutation = { setImageFavorite: { id: string, favorite: boolean } };

export type DeleteImageMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteImageMutation = { deleteImage: string };

export type SettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type SettingsQuery = { viewer: { id: string, email: string | null, displayName: string, preferences: { defaultModel: string | null, width: number | null, height: number | null, count: number | null, stylePreset: string | null, negativePrompt: string | null } | null, apiKeys: Array<{ id: string, name: string, prefix: string, createdAt: string, lastUsedAt: string | null }> | null } | null, models: Array<{ id: string, name: string, provider: string, offline: boolean, description: string, capabilities: { taskTypes: Array<string>, fixedSizes: boolean, minSide: number, maxSide: number, sideStep: number, maxPixels: number | null, aspectRatios: Array<string>, maxImages: number, maxPromptLength: number, negativePrompt: boolean, seed: boolean, maxSeed: number | null, stylePresets: Array<string>, qualities: Array<string>, sizes: Array<{ width: number, height: number }>, cfgScale: { min: number, max: number, default: number } | null }, defaults: { width: number, height: number, count: number } }> };

export type UpdatePreferencesMutationVariables = Exact<{
  input: UpdatePreferencesInput;
}>;


export type UpdatePreferencesMutation = { updatePreferences: { id: string, preferences: { defaultModel: string | null, width: number | null, height: number | null, count: number | null, stylePreset: string | null, negativePrompt: string | null } | null } };

export type CreateApiKeyMutationVariables = Exact<{
  name: string;
}>;


export type CreateApiKeyMutation = { createApiKey: { secret: string, apiKey: { id: string, name: string, prefix: string, createdAt: string, lastUsedAt: string | null } } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: { id: string, revokedAt: string | null } };

export type GenerationQueryVariables = Exact<{
  id: string | number;
}>;


export type GenerationQuery = { generation: { id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> } };

export type WebhookFieldsFragment = { id: string, url: string, description: string | null, events: Array<WebhookEvent>, enabled: boolean, disabledReason: string | null, createdAt: string };

export type WebhookDeliveryFieldsFragment = { id: string, event: string, status: WebhookDeliveryStatus, attempts: number, responseStatus: number | null, responseBody: string | null, lastError: string | null, createdAt: string, nextAttemptAt: string | null, deliveredAt: string | null };

export type WebhooksQueryVariables = Exact<{ [key: string]: never; }>;


export type WebhooksQuery = { viewer: { id: string, webhooks: Array<{ id: string, url: string, description: string | null, events: Array<WebhookEvent>, enabled: boolean, disabledReason: string | null, createdAt: string }> } | null };

export type WebhookDeliveriesQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
}>;


export type WebhookDeliveriesQuery = { node:
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string, deliveries: { nodes: Array<{ id: string, event: string, status: WebhookDeliveryStatus, attempts: number, responseStatus: number | null, responseBody: string | null, lastError: string | null, createdAt: string, nextAttemptAt: string | null, deliveredAt: string | null }> } }
    | { id: string }
   | null };

export type CreateWebhookMutationVariables = Exact<{
  input: CreateWebhookInput;
}>;


export type CreateWebhookMutation = { createWebhook: { secret: string, webhook: { id: string, url: string, description: string | null, events: Array<WebhookEvent>, enabled: boolean, disabledReason: string | null, createdAt: string } } };

export type UpdateWebhookMutationVariables = Exact<{
  input: UpdateWebhookInput;
}>;


export type UpdateWebhookMutation = { updateWebhook: { id: string, url: string, description: string | null, events: Array<WebhookEvent>, enabled: boolean, disabledReason: string | null, createdAt: string } };

export type DeleteWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteWebhookMutation = { deleteWebhook: string };

export type RotateWebhookSecretMutationVariables = Exact<{
  id: string | number;
}>;


export type RotateWebhookSecretMutation = { rotateWebhookSecret: { secret: string, previousSecretExpiresAt: string, webhook: { id: string, url: string, description: string | null, events: Array<WebhookEvent>, enabled: boolean, disabledReason: string | null, createdAt: string } } };

export type SendTestWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type SendTestWebhookMutation = { sendTestWebhook: { id: string, event: string, status: WebhookDeliveryStatus, attempts: number, responseStatus: number | null, responseBody: string | null, lastError: string | null, createdAt: string, nextAttemptAt: string | null, deliveredAt: string | null } };

export type RedeliverWebhookMutationVariables = Exact<{
  deliveryId: string | number;
}>;


export type RedeliverWebhookMutation = { redeliverWebhook: { id: string, event: string, status: WebhookDeliveryStatus, attempts: number, responseStatus: number | null, responseBody: string | null, lastError: string | null, createdAt: string, nextAttemptAt: string | null, deliveredAt: string | null } };

export type BatchFieldsFragment = { id: string, status: BatchStatus, progress: number, total: number, succeeded: number, failed: number, cancelled: number, createdAt: string, finishedAt: string | null, generations: { nodes: Array<{ id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> }> } };

export type GenerateBatchMutationVariables = Exact<{
  input: GenerateBatchInput;
}>;


export type GenerateBatchMutation = { generateBatch: { id: string, status: BatchStatus, progress: number, total: number, succeeded: number, failed: number, cancelled: number, createdAt: string, finishedAt: string | null, generations: { nodes: Array<{ id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> }> } } };

export type BatchQueryVariables = Exact<{
  id: string | number;
}>;


export type BatchQuery = { batch: { id: string, status: BatchStatus, progress: number, total: number, succeeded: number, failed: number, cancelled: number, createdAt: string, finishedAt: string | null, generations: { nodes: Array<{ id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> }> } } };

export type BatchUpdatesSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type BatchUpdatesSubscription = { batchUpdates: { id: string, status: BatchStatus, progress: number, total: number, succeeded: number, failed: number, cancelled: number, createdAt: string, finishedAt: string | null, generations: { nodes: Array<{ id: string, status: GenerationStatus, progress: number, stage: string | null, queuePosition: number | null, preview: string | null, model: string, params: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, error: { code: GenerationErrorCode, message: string } | null, prompt: { id: string, text: string, negativeText: string | null } | null, images: Array<{ id: string, url: string, thumbnailUrl: string, width: number, height: number, seed: number, contentType: string, byteSize: number, visibility: Visibility, favorite: boolean, createdAt: string, prompt: { id: string, text: string, negativeText: string | null } | null }> }> } } };
