import { gql } from '@apollo/client';

// Every operation the UI sends. Types for each are generated into ./generated.ts by
// `npm run codegen` from the server's SDL.

export const MODEL_FIELDS = gql`
  fragment ModelFields on ImageModel {
    id
    name
    provider
    offline
    description
    capabilities {
      taskTypes
      fixedSizes
      sizes {
        width
        height
      }
      minSide
      maxSide
      sideStep
      maxPixels
      aspectRatios
      maxImages
      maxPromptLength
      negativePrompt
      seed
      maxSeed
      cfgScale {
        min
        max
        default
      }
      stylePresets
      qualities
    }
    defaults {
      width
      height
      count
    }
  }
`;

export const IMAGE_FIELDS = gql`
  fragment ImageFields on Image {
    id
    url
    thumbnailUrl
    width
    height
    seed
    contentType
    byteSize
    visibility
    favorite
    createdAt
    prompt {
      id
      text
      negativeText
    }
  }
`;

export const GENERATION_FIELDS = gql`
  fragment GenerationFields on Generation {
    id
    status
    progress
    stage
    queuePosition
    preview
    error {
      code
      message
    }
    prompt {
      id
      text
      negativeText
    }
    images {
      ...ImageFields
    }
    model
    params
    createdAt
    startedAt
    finishedAt
  }
  ${IMAGE_FIELDS}
`;

export const PREFERENCES_FIELDS = gql`
  fragment PreferencesFields on Preferences {
    defaultModel
    width
    height
    count
    stylePreset
    negativePrompt
  }
`;

export const VIEWER = gql`
  query Viewer {
    viewer {
      id
      email
      displayName
      preferences {
        ...PreferencesFields
      }
    }
  }
  ${PREFERENCES_FIELDS}
`;

export const MODELS = gql`
  query Models {
    models {
      ...ModelFields
    }
  }
  ${MODEL_FIELDS}
`;

export const SIGN_UP = gql`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      user {
        id
        email
        displayName
      }
    }
  }
`;

export const LOG_IN = gql`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      token
      user {
        id
        email
        displayName
      }
    }
  }
`;

export const GENERATE_IMAGES = gql`
  mutation GenerateImages($input: GenerateImagesInput!) {
    generateImages(input: $input) {
      ...GenerationFields
    }
  }
  ${GENERATION_FIELDS}
`;

export const CANCEL_GENERATION = gql`
  mutation CancelGeneration($id: ID!) {
    cancelGeneration(id: $id) {
      ...GenerationFields
    }
  }
  ${GENERATION_FIELDS}
`;

export const RETRY_GENERATION = gql`
  mutation RetryGeneration($id: ID!) {
    retryGeneration(id: $id) {
      ...GenerationFields
    }
  }
  ${GENERATION_FIELDS}
`;

export const GENERATION_UPDATES = gql`
  subscription GenerationUpdates($id: ID!) {
    generationUpdates(id: $id) {
      ...GenerationFields
    }
  }
  ${GENERATION_FIELDS}
`;

export const MY_GENERATION_UPDATES = gql`
  subscription MyGenerationUpdates {
    myGenerationUpdates {
      ...GenerationFields
    }
  }
  ${GENERATION_FIELDS}
`;

export const GENERATIONS = gql`
  query Generations($first: Int, $after: String, $status: GenerationStatus) {
    generations(first: $first, after: $after, status: $status) {
      edges {
        cursor
        node {
          ...GenerationFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${GENERATION_FIELDS}
`;

export const IMAGES = gql`
  query Images($first: Int, $after: String, $filter: ImageFilter) {
    images(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          ...ImageFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${IMAGE_FIELDS}
`;

export const PUBLIC_IMAGES = gql`
  query PublicImages($first: Int, $after: String) {
    publicImages(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...ImageFields
          owner {
            id
            displayName
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${IMAGE_FIELDS}
`;

export const IMAGE_DETAIL = gql`
  query ImageDetail($id: ID!) {
    node(id: $id) {
      id
      ... on Image {
        ...ImageFields
        owner {
          id
          displayName
        }
        generation {
          id
          model
          params
        }
      }
    }
  }
  ${IMAGE_FIELDS}
`;

export const SET_IMAGE_VISIBILITY = gql`
  mutation SetImageVisibility($id: ID!, $visibility: Visibility!) {
    setImageVisibility(id: $id, visibility: $visibility) {
      id
      visibility
    }
  }
`;

export const SET_IMAGE_FAVORITE = gql`
  mutation SetImageFavorite($id: ID!, $favorite: Boolean!) {
    setImageFavorite(id: $id, favorite: $favorite) {
      id
      favorite
    }
  }
`;

export const DELETE_IMAGE = gql`
  mutation DeleteImage($id: ID!) {
    deleteImage(id: $id)
  }
`;

export const SETTINGS = gql`
  query Settings {
    viewer {
      id
      email
      displayName
      preferences {
        ...PreferencesFields
      }
      apiKeys {
        id
        name
        prefix
        createdAt
        lastUsedAt
      }
    }
    models {
      ...ModelFields
    }
  }
  ${PREFERENCES_FIELDS}
  ${MODEL_FIELDS}
`;

export const UPDATE_PREFERENCES = gql`
  mutation UpdatePreferences($input: UpdatePreferencesInput!) {
    updatePreferences(input: $input) {
      id
      preferences {
        ...PreferencesFields
      }
    }
  }
  ${PREFERENCES_FIELDS}
`;

export const CREATE_API_KEY = gql`
  mutation CreateApiKey($name: String!) {
    createApiKey(name: $name) {
      apiKey {
        id
        name
        prefix
        createdAt
        lastUsedAt
      }
      secret
    }
  }
`;

export const REVOKE_API_KEY = gql`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`;

export const GENERATION = gql`
  query Generation($id: ID!) {
    generation(id: $id) {
      ...GenerationFields
    }
  }
  ${GENERATION_FIELDS}
`;

export const WEBHOOK_FIELDS = gql`
  fragment WebhookFields on Webhook {
    id
    url
    description
    events
    enabled
    disabledReason
    createdAt
  }
`;

export const WEBHOOK_DELIVERY_FIELDS = gql`
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
`;

export const WEBHOOKS = gql`
  query Webhooks {
    viewer {
      id
      webhooks {
        ...WebhookFields
      }
    }
  }
  ${WEBHOOK_FIELDS}
`;

export const WEBHOOK_DELIVERIES = gql`
  query WebhookDeliveries($id: ID!, $first: Int) {
    node(id: $id) {
      id
      ... on Webhook {
        deliveries(first: $first) {
          nodes {
            ...WebhookDeliveryFields
          }
        }
      }
    }
  }
  ${WEBHOOK_DELIVERY_FIELDS}
`;

export const CREATE_WEBHOOK = gql`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      webhook {
        ...WebhookFields
      }
      secret
    }
  }
  ${WEBHOOK_FIELDS}
`;

export const UPDATE_WEBHOOK = gql`
  mutation UpdateWebhook($input: UpdateWebhookInput!) {
    updateWebhook(input: $input) {
      ...WebhookFields
    }
  }
  ${WEBHOOK_FIELDS}
`;

export const DELETE_WEBHOOK = gql`
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`;

export const ROTATE_WEBHOOK_SECRET = gql`
  mutation RotateWebhookSecret($id: ID!) {
    rotateWebhookSecret(id: $id) {
      webhook {
        ...WebhookFields
      }
      secret
      previousSecretExpiresAt
    }
  }
  ${WEBHOOK_FIELDS}
`;

export const SEND_TEST_WEBHOOK = gql`
  mutation SendTestWebhook($id: ID!) {
    sendTestWebhook(id: $id) {
      ...WebhookDeliveryFields
    }
  }
  ${WEBHOOK_DELIVERY_FIELDS}
`;

export const REDELIVER_WEBHOOK = gql`
  mutation RedeliverWebhook($deliveryId: ID!) {
    redeliverWebhook(deliveryId: $deliveryId) {
      ...WebhookDeliveryFields
    }
  }
  ${WEBHOOK_DELIVERY_FIELDS}
`;

// A batch holds at most 50 jobs, so one page of `generations` is all of them.
export const BATCH_FIELDS = gql`
  fragment BatchFields on Batch {
    id
    status
    progress
    total
    succeeded
    failed
    cancelled
    createdAt
    finishedAt
    generations(first: 50) {
      nodes {
        ...GenerationFields
      }
    }
  }
  ${GENERATION_FIELDS}
`;

export const GENERATE_BATCH = gql`
  mutation GenerateBatch($input: GenerateBatchInput!) {
    generateBatch(input: $input) {
      ...BatchFields
    }
  }
  ${BATCH_FIELDS}
`;

export const BATCH = gql`
  query Batch($id: ID!) {
    batch(id: $id) {
      ...BatchFields
    }
  }
  ${BATCH_FIELDS}
`;

export const BATCH_UPDATES = gql`
  subscription BatchUpdates($id: ID!) {
    batchUpdates(id: $id) {
      ...BatchFields
    }
  }
  ${BATCH_FIELDS}
`;
