import { graphql } from './generated';

// Every operation the UI sends (api/src/metrics.rs lists their names). `npm run codegen`
// types each from the server's SDL; the fragments they spread live beside their components.

export const VIEWER = graphql(`
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
`);

export const MODELS = graphql(`
  query Models {
    models {
      ...ModelFields
      ...EditModelFields
    }
  }
`);

export const SIGN_UP = graphql(`
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
`);

export const LOG_IN = graphql(`
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
`);

export const GENERATE_IMAGES = graphql(`
  mutation GenerateImages($input: GenerateImagesInput!) {
    generateImages(input: $input) {
      ...GenerationFields
    }
  }
`);

export const CANCEL_GENERATION = graphql(`
  mutation CancelGeneration($id: ID!) {
    cancelGeneration(id: $id) {
      ...GenerationFields
    }
  }
`);

export const RETRY_GENERATION = graphql(`
  mutation RetryGeneration($id: ID!) {
    retryGeneration(id: $id) {
      ...GenerationFields
    }
  }
`);

export const GENERATION_UPDATES = graphql(`
  subscription GenerationUpdates($id: ID!) {
    generationUpdates(id: $id) {
      ...GenerationFields
    }
  }
`);

export const MY_GENERATION_UPDATES = graphql(`
  subscription MyGenerationUpdates {
    myGenerationUpdates {
      ...GenerationFields
    }
  }
`);

export const GENERATIONS = graphql(`
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
`);

export const IMAGES = graphql(`
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
`);

export const PUBLIC_IMAGES = graphql(`
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
`);

export const IMAGE_DETAIL = graphql(`
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
        source {
          id
        }
      }
    }
  }
`);

export const SET_IMAGE_VISIBILITY = graphql(`
  mutation SetImageVisibility($id: ID!, $visibility: Visibility!) {
    setImageVisibility(id: $id, visibility: $visibility) {
      id
      visibility
    }
  }
`);

export const SET_IMAGE_FAVORITE = graphql(`
  mutation SetImageFavorite($id: ID!, $favorite: Boolean!) {
    setImageFavorite(id: $id, favorite: $favorite) {
      id
      favorite
    }
  }
`);

export const DELETE_IMAGE = graphql(`
  mutation DeleteImage($id: ID!) {
    deleteImage(id: $id)
  }
`);

export const SETTINGS = graphql(`
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
`);

export const UPDATE_PREFERENCES = graphql(`
  mutation UpdatePreferences($input: UpdatePreferencesInput!) {
    updatePreferences(input: $input) {
      id
      preferences {
        ...PreferencesFields
      }
    }
  }
`);

export const CREATE_API_KEY = graphql(`
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
`);

export const REVOKE_API_KEY = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);

export const GENERATION = graphql(`
  query Generation($id: ID!) {
    generation(id: $id) {
      ...GenerationFields
    }
  }
`);

export const WEBHOOKS = graphql(`
  query Webhooks {
    viewer {
      id
      webhooks {
        ...WebhookFields
      }
    }
  }
`);

export const WEBHOOK_DELIVERIES = graphql(`
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
`);

export const CREATE_WEBHOOK = graphql(`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      webhook {
        ...WebhookFields
      }
      secret
    }
  }
`);

export const UPDATE_WEBHOOK = graphql(`
  mutation UpdateWebhook($input: UpdateWebhookInput!) {
    updateWebhook(input: $input) {
      ...WebhookFields
    }
  }
`);

export const DELETE_WEBHOOK = graphql(`
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`);

export const ROTATE_WEBHOOK_SECRET = graphql(`
  mutation RotateWebhookSecret($id: ID!) {
    rotateWebhookSecret(id: $id) {
      webhook {
        ...WebhookFields
      }
      secret
      previousSecretExpiresAt
    }
  }
`);

export const SEND_TEST_WEBHOOK = graphql(`
  mutation SendTestWebhook($id: ID!) {
    sendTestWebhook(id: $id) {
      ...WebhookDeliveryFields
    }
  }
`);

export const REDELIVER_WEBHOOK = graphql(`
  mutation RedeliverWebhook($deliveryId: ID!) {
    redeliverWebhook(deliveryId: $deliveryId) {
      ...WebhookDeliveryFields
    }
  }
`);

export const GENERATE_BATCH = graphql(`
  mutation GenerateBatch($input: GenerateBatchInput!) {
    generateBatch(input: $input) {
      ...BatchFields
    }
  }
`);

export const BATCH = graphql(`
  query Batch($id: ID!) {
    batch(id: $id) {
      ...BatchFields
    }
  }
`);

export const BATCH_UPDATES = graphql(`
  subscription BatchUpdates($id: ID!) {
    batchUpdates(id: $id) {
      ...BatchFields
    }
  }
`);

export const CREATE_UPLOAD = graphql(`
  mutation CreateUpload($input: CreateUploadInput!) {
    createUpload(input: $input) {
      id
      url
      method
      headers {
        name
        value
      }
      expiresAt
    }
  }
`);
