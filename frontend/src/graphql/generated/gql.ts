/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment BatchFields on Batch {\n    id\n    status\n    progress\n    total\n    succeeded\n    failed\n    cancelled\n    createdAt\n    finishedAt\n    generations(first: 50) {\n      nodes {\n        ...GenerationFields\n      }\n    }\n  }\n": typeof types.BatchFieldsFragmentDoc,
    "\n  fragment EditModelFields on ImageModel {\n    id\n    name\n    provider\n    offline\n    description\n    capabilities {\n      tasks\n      taskLimits {\n        task\n        prompt\n        needsSource\n        mask\n        maskPrompt\n        strength {\n          min\n          max\n          default\n        }\n        maxOutpaint\n        upscaleFactor {\n          min\n          max\n          default\n        }\n        minSourceSide\n        maxSourceSide\n        maxSourcePixels\n      }\n    }\n  }\n": typeof types.EditModelFieldsFragmentDoc,
    "\n  fragment ModelFields on ImageModel {\n    id\n    name\n    provider\n    offline\n    description\n    capabilities {\n      tasks\n      taskTypes\n      fixedSizes\n      sizes {\n        width\n        height\n      }\n      minSide\n      maxSide\n      sideStep\n      maxPixels\n      aspectRatios\n      maxImages\n      maxPromptLength\n      negativePrompt\n      seed\n      maxSeed\n      cfgScale {\n        min\n        max\n        default\n      }\n      stylePresets\n      qualities\n    }\n    defaults {\n      width\n      height\n      count\n    }\n  }\n": typeof types.ModelFieldsFragmentDoc,
    "\n  fragment GenerationFields on Generation {\n    id\n    status\n    progress\n    stage\n    queuePosition\n    preview\n    error {\n      code\n      message\n    }\n    prompt {\n      id\n      text\n      negativeText\n    }\n    images {\n      ...ImageFields\n    }\n    model\n    task\n    params\n    createdAt\n    startedAt\n    finishedAt\n  }\n": typeof types.GenerationFieldsFragmentDoc,
    "\n  fragment ImageFields on Image {\n    id\n    url\n    thumbnailUrl\n    width\n    height\n    seed\n    contentType\n    byteSize\n    visibility\n    favorite\n    createdAt\n    uploaded\n    prompt {\n      id\n      text\n      negativeText\n    }\n  }\n": typeof types.ImageFieldsFragmentDoc,
    "\n  query Viewer {\n    viewer {\n      id\n      email\n      displayName\n      preferences {\n        ...PreferencesFields\n      }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query Models {\n    models {\n      ...ModelFields\n      ...EditModelFields\n    }\n  }\n": typeof types.ModelsDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      user {\n        id\n        email\n        displayName\n      }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        id\n        email\n        displayName\n      }\n    }\n  }\n": typeof types.LogInDocument,
    "\n  mutation GenerateImages($input: GenerateImagesInput!) {\n    generateImages(input: $input) {\n      ...GenerationFields\n    }\n  }\n": typeof types.GenerateImagesDocument,
    "\n  mutation CancelGeneration($id: ID!) {\n    cancelGeneration(id: $id) {\n      ...GenerationFields\n    }\n  }\n": typeof types.CancelGenerationDocument,
    "\n  mutation RetryGeneration($id: ID!) {\n    retryGeneration(id: $id) {\n      ...GenerationFields\n    }\n  }\n": typeof types.RetryGenerationDocument,
    "\n  subscription GenerationUpdates($id: ID!) {\n    generationUpdates(id: $id) {\n      ...GenerationFields\n    }\n  }\n": typeof types.GenerationUpdatesDocument,
    "\n  subscription MyGenerationUpdates {\n    myGenerationUpdates {\n      ...GenerationFields\n    }\n  }\n": typeof types.MyGenerationUpdatesDocument,
    "\n  query Generations($first: Int, $after: String, $status: GenerationStatus) {\n    generations(first: $first, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          ...GenerationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.GenerationsDocument,
    "\n  query Images($first: Int, $after: String, $filter: ImageFilter) {\n    images(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          ...ImageFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ImagesDocument,
    "\n  query PublicImages($first: Int, $after: String) {\n    publicImages(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ImageFields\n          owner {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.PublicImagesDocument,
    "\n  query ImageDetail($id: ID!) {\n    node(id: $id) {\n      id\n      ... on Image {\n        ...ImageFields\n        owner {\n          id\n          displayName\n        }\n        generation {\n          id\n          model\n          params\n        }\n        source {\n          id\n        }\n      }\n    }\n  }\n": typeof types.ImageDetailDocument,
    "\n  mutation SetImageVisibility($id: ID!, $visibility: Visibility!) {\n    setImageVisibility(id: $id, visibility: $visibility) {\n      id\n      visibility\n    }\n  }\n": typeof types.SetImageVisibilityDocument,
    "\n  mutation SetImageFavorite($id: ID!, $favorite: Boolean!) {\n    setImageFavorite(id: $id, favorite: $favorite) {\n      id\n      favorite\n    }\n  }\n": typeof types.SetImageFavoriteDocument,
    "\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id)\n  }\n": typeof types.DeleteImageDocument,
    "\n  query Settings {\n    viewer {\n      id\n      email\n      displayName\n      preferences {\n        ...PreferencesFields\n      }\n      apiKeys {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n      }\n    }\n    models {\n      ...ModelFields\n    }\n  }\n": typeof types.SettingsDocument,
    "\n  mutation UpdatePreferences($input: UpdatePreferencesInput!) {\n    updatePreferences(input: $input) {\n      id\n      preferences {\n        ...PreferencesFields\n      }\n    }\n  }\n": typeof types.UpdatePreferencesDocument,
    "\n  mutation CreateApiKey($name: String!) {\n    createApiKey(name: $name) {\n      apiKey {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n      }\n      secret\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query Generation($id: ID!) {\n    generation(id: $id) {\n      ...GenerationFields\n    }\n  }\n": typeof types.GenerationDocument,
    "\n  query Webhooks {\n    viewer {\n      id\n      webhooks {\n        ...WebhookFields\n      }\n    }\n  }\n": typeof types.WebhooksDocument,
    "\n  query WebhookDeliveries($id: ID!, $first: Int) {\n    node(id: $id) {\n      id\n      ... on Webhook {\n        deliveries(first: $first) {\n          nodes {\n            ...WebhookDeliveryFields\n          }\n        }\n      }\n    }\n  }\n": typeof types.WebhookDeliveriesDocument,
    "\n  mutation CreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) {\n      webhook {\n        ...WebhookFields\n      }\n      secret\n    }\n  }\n": typeof types.CreateWebhookDocument,
    "\n  mutation UpdateWebhook($input: UpdateWebhookInput!) {\n    updateWebhook(input: $input) {\n      ...WebhookFields\n    }\n  }\n": typeof types.UpdateWebhookDocument,
    "\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": typeof types.DeleteWebhookDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      webhook {\n        ...WebhookFields\n      }\n      secret\n      previousSecretExpiresAt\n    }\n  }\n": typeof types.RotateWebhookSecretDocument,
    "\n  mutation SendTestWebhook($id: ID!) {\n    sendTestWebhook(id: $id) {\n      ...WebhookDeliveryFields\n    }\n  }\n": typeof types.SendTestWebhookDocument,
    "\n  mutation RedeliverWebhook($deliveryId: ID!) {\n    redeliverWebhook(deliveryId: $deliveryId) {\n      ...WebhookDeliveryFields\n    }\n  }\n": typeof types.RedeliverWebhookDocument,
    "\n  mutation GenerateBatch($input: GenerateBatchInput!) {\n    generateBatch(input: $input) {\n      ...BatchFields\n    }\n  }\n": typeof types.GenerateBatchDocument,
    "\n  query Batch($id: ID!) {\n    batch(id: $id) {\n      ...BatchFields\n    }\n  }\n": typeof types.BatchDocument,
    "\n  subscription BatchUpdates($id: ID!) {\n    batchUpdates(id: $id) {\n      ...BatchFields\n    }\n  }\n": typeof types.BatchUpdatesDocument,
    "\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) {\n      id\n      url\n      method\n      headers {\n        name\n        value\n      }\n      expiresAt\n    }\n  }\n": typeof types.CreateUploadDocument,
    "\n  fragment PreferencesFields on Preferences {\n    defaultModel\n    width\n    height\n    count\n    stylePreset\n    negativePrompt\n  }\n": typeof types.PreferencesFieldsFragmentDoc,
    "\n  fragment WebhookFields on Webhook {\n    id\n    url\n    description\n    events\n    enabled\n    disabledReason\n    createdAt\n  }\n": typeof types.WebhookFieldsFragmentDoc,
    "\n  fragment WebhookDeliveryFields on WebhookDelivery {\n    id\n    event\n    status\n    attempts\n    responseStatus\n    responseBody\n    lastError\n    createdAt\n    nextAttemptAt\n    deliveredAt\n  }\n": typeof types.WebhookDeliveryFieldsFragmentDoc,
};
const documents: Documents = {
    "\n  fragment BatchFields on Batch {\n    id\n    status\n    progress\n    total\n    succeeded\n    failed\n    cancelled\n    createdAt\n    finishedAt\n    generations(first: 50) {\n      nodes {\n        ...GenerationFields\n      }\n    }\n  }\n": types.BatchFieldsFragmentDoc,
    "\n  fragment EditModelFields on ImageModel {\n    id\n    name\n    provider\n    offline\n    description\n    capabilities {\n      tasks\n      taskLimits {\n        task\n        prompt\n        needsSource\n        mask\n        maskPrompt\n        strength {\n          min\n          max\n          default\n        }\n        maxOutpaint\n        upscaleFactor {\n          min\n          max\n          default\n        }\n        minSourceSide\n        maxSourceSide\n        maxSourcePixels\n      }\n    }\n  }\n": types.EditModelFieldsFragmentDoc,
    "\n  fragment ModelFields on ImageModel {\n    id\n    name\n    provider\n    offline\n    description\n    capabilities {\n      tasks\n      taskTypes\n      fixedSizes\n      sizes {\n        width\n        height\n      }\n      minSide\n      maxSide\n      sideStep\n      maxPixels\n      aspectRatios\n      maxImages\n      maxPromptLength\n      negativePrompt\n      seed\n      maxSeed\n      cfgScale {\n        min\n        max\n        default\n      }\n      stylePresets\n      qualities\n    }\n    defaults {\n      width\n      height\n      count\n    }\n  }\n": types.ModelFieldsFragmentDoc,
    "\n  fragment GenerationFields on Generation {\n    id\n    status\n    progress\n    stage\n    queuePosition\n    preview\n    error {\n      code\n      message\n    }\n    prompt {\n      id\n      text\n      negativeText\n    }\n    images {\n      ...ImageFields\n    }\n    model\n    task\n    params\n    createdAt\n    startedAt\n    finishedAt\n  }\n": types.GenerationFieldsFragmentDoc,
    "\n  fragment ImageFields on Image {\n    id\n    url\n    thumbnailUrl\n    width\n    height\n    seed\n    contentType\n    byteSize\n    visibility\n    favorite\n    createdAt\n    uploaded\n    prompt {\n      id\n      text\n      negativeText\n    }\n  }\n": types.ImageFieldsFragmentDoc,
    "\n  query Viewer {\n    viewer {\n      id\n      email\n      displayName\n      preferences {\n        ...PreferencesFields\n      }\n    }\n  }\n": types.ViewerDocument,
    "\n  query Models {\n    models {\n      ...ModelFields\n      ...EditModelFields\n    }\n  }\n": types.ModelsDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      user {\n        id\n        email\n        displayName\n      }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        id\n        email\n        displayName\n      }\n    }\n  }\n": types.LogInDocument,
    "\n  mutation GenerateImages($input: GenerateImagesInput!) {\n    generateImages(input: $input) {\n      ...GenerationFields\n    }\n  }\n": types.GenerateImagesDocument,
    "\n  mutation CancelGeneration($id: ID!) {\n    cancelGeneration(id: $id) {\n      ...GenerationFields\n    }\n  }\n": types.CancelGenerationDocument,
    "\n  mutation RetryGeneration($id: ID!) {\n    retryGeneration(id: $id) {\n      ...GenerationFields\n    }\n  }\n": types.RetryGenerationDocument,
    "\n  subscription GenerationUpdates($id: ID!) {\n    generationUpdates(id: $id) {\n      ...GenerationFields\n    }\n  }\n": types.GenerationUpdatesDocument,
    "\n  subscription MyGenerationUpdates {\n    myGenerationUpdates {\n      ...GenerationFields\n    }\n  }\n": types.MyGenerationUpdatesDocument,
    "\n  query Generations($first: Int, $after: String, $status: GenerationStatus) {\n    generations(first: $first, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          ...GenerationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.GenerationsDocument,
    "\n  query Images($first: Int, $after: String, $filter: ImageFilter) {\n    images(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          ...ImageFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ImagesDocument,
    "\n  query PublicImages($first: Int, $after: String) {\n    publicImages(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ImageFields\n          owner {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.PublicImagesDocument,
    "\n  query ImageDetail($id: ID!) {\n    node(id: $id) {\n      id\n      ... on Image {\n        ...ImageFields\n        owner {\n          id\n          displayName\n        }\n        generation {\n          id\n          model\n          params\n        }\n        source {\n          id\n        }\n      }\n    }\n  }\n": types.ImageDetailDocument,
    "\n  mutation SetImageVisibility($id: ID!, $visibility: Visibility!) {\n    setImageVisibility(id: $id, visibility: $visibility) {\n      id\n      visibility\n    }\n  }\n": types.SetImageVisibilityDocument,
    "\n  mutation SetImageFavorite($id: ID!, $favorite: Boolean!) {\n    setImageFavorite(id: $id, favorite: $favorite) {\n      id\n      favorite\n    }\n  }\n": types.SetImageFavoriteDocument,
    "\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id)\n  }\n": types.DeleteImageDocument,
    "\n  query Settings {\n    viewer {\n      id\n      email\n      displayName\n      preferences {\n        ...PreferencesFields\n      }\n      apiKeys {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n      }\n    }\n    models {\n      ...ModelFields\n    }\n  }\n": types.SettingsDocument,
    "\n  mutation UpdatePreferences($input: UpdatePreferencesInput!) {\n    updatePreferences(input: $input) {\n      id\n      preferences {\n        ...PreferencesFields\n      }\n    }\n  }\n": types.UpdatePreferencesDocument,
    "\n  mutation CreateApiKey($name: String!) {\n    createApiKey(name: $name) {\n      apiKey {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n      }\n      secret\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query Generation($id: ID!) {\n    generation(id: $id) {\n      ...GenerationFields\n    }\n  }\n": types.GenerationDocument,
    "\n  query Webhooks {\n    viewer {\n      id\n      webhooks {\n        ...WebhookFields\n      }\n    }\n  }\n": types.WebhooksDocument,
    "\n  query WebhookDeliveries($id: ID!, $first: Int) {\n    node(id: $id) {\n      id\n      ... on Webhook {\n        deliveries(first: $first) {\n          nodes {\n            ...WebhookDeliveryFields\n          }\n        }\n      }\n    }\n  }\n": types.WebhookDeliveriesDocument,
    "\n  mutation CreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) {\n      webhook {\n        ...WebhookFields\n      }\n      secret\n    }\n  }\n": types.CreateWebhookDocument,
    "\n  mutation UpdateWebhook($input: UpdateWebhookInput!) {\n    updateWebhook(input: $input) {\n      ...WebhookFields\n    }\n  }\n": types.UpdateWebhookDocument,
    "\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": types.DeleteWebhookDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      webhook {\n        ...WebhookFields\n      }\n      secret\n      previousSecretExpiresAt\n    }\n  }\n": types.RotateWebhookSecretDocument,
    "\n  mutation SendTestWebhook($id: ID!) {\n    sendTestWebhook(id: $id) {\n      ...WebhookDeliveryFields\n    }\n  }\n": types.SendTestWebhookDocument,
    "\n  mutation RedeliverWebhook($deliveryId: ID!) {\n    redeliverWebhook(deliveryId: $deliveryId) {\n      ...WebhookDeliveryFields\n    }\n  }\n": types.RedeliverWebhookDocument,
    "\n  mutation GenerateBatch($input: GenerateBatchInput!) {\n    generateBatch(input: $input) {\n      ...BatchFields\n    }\n  }\n": types.GenerateBatchDocument,
    "\n  query Batch($id: ID!) {\n    batch(id: $id) {\n      ...BatchFields\n    }\n  }\n": types.BatchDocument,
    "\n  subscription BatchUpdates($id: ID!) {\n    batchUpdates(id: $id) {\n      ...BatchFields\n    }\n  }\n": types.BatchUpdatesDocument,
    "\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) {\n      id\n      url\n      method\n      headers {\n        name\n        value\n      }\n      expiresAt\n    }\n  }\n": types.CreateUploadDocument,
    "\n  fragment PreferencesFields on Preferences {\n    defaultModel\n    width\n    height\n    count\n    stylePreset\n    negativePrompt\n  }\n": types.PreferencesFieldsFragmentDoc,
    "\n  fragment WebhookFields on Webhook {\n    id\n    url\n    description\n    events\n    enabled\n    disabledReason\n    createdAt\n  }\n": types.WebhookFieldsFragmentDoc,
    "\n  fragment WebhookDeliveryFields on WebhookDelivery {\n    id\n    event\n    status\n    attempts\n    responseStatus\n    responseBody\n    lastError\n    createdAt\n    nextAttemptAt\n    deliveredAt\n  }\n": types.WebhookDeliveryFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BatchFields on Batch {\n    id\n    status\n    progress\n    total\n    succeeded\n    failed\n    cancelled\n    createdAt\n    finishedAt\n    generations(first: 50) {\n      nodes {\n        ...GenerationFields\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment BatchFields on Batch {\n    id\n    status\n    progress\n    total\n    succeeded\n    failed\n    cancelled\n    createdAt\n    finishedAt\n    generations(first: 50) {\n      nodes {\n        ...GenerationFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EditModelFields on ImageModel {\n    id\n    name\n    provider\n    offline\n    description\n    capabilities {\n      tasks\n      taskLimits {\n        task\n        prompt\n        needsSource\n        mask\n        maskPrompt\n        strength {\n          min\n          max\n          default\n        }\n        maxOutpaint\n        upscaleFactor {\n          min\n          max\n          default\n        }\n        minSourceSide\n        maxSourceSide\n        maxSourcePixels\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment EditModelFields on ImageModel {\n    id\n    name\n    provider\n    offline\n    description\n    capabilities {\n      tasks\n      taskLimits {\n        task\n        prompt\n        needsSource\n        mask\n        maskPrompt\n        strength {\n          min\n          max\n          default\n        }\n        maxOutpaint\n        upscaleFactor {\n          min\n          max\n          default\n        }\n        minSourceSide\n        maxSourceSide\n        maxSourcePixels\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ModelFields on ImageModel {\n    id\n    name\n    provider\n    offline\n    description\n    capabilities {\n      tasks\n      taskTypes\n      fixedSizes\n      sizes {\n        width\n        height\n      }\n      minSide\n      maxSide\n      sideStep\n      maxPixels\n      aspectRatios\n      maxImages\n      maxPromptLength\n      negativePrompt\n      seed\n      maxSeed\n      cfgScale {\n        min\n        max\n        default\n      }\n      stylePresets\n      qualities\n    }\n    defaults {\n      width\n      height\n      count\n    }\n  }\n"): (typeof documents)["\n  fragment ModelFields on ImageModel {\n    id\n    name\n    provider\n    offline\n    description\n    capabilities {\n      tasks\n      taskTypes\n      fixedSizes\n      sizes {\n        width\n        height\n      }\n      minSide\n      maxSide\n      sideStep\n      maxPixels\n      aspectRatios\n      maxImages\n      maxPromptLength\n      negativePrompt\n      seed\n      maxSeed\n      cfgScale {\n        min\n        max\n        default\n      }\n      stylePresets\n      qualities\n    }\n    defaults {\n      width\n      height\n      count\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment GenerationFields on Generation {\n    id\n    status\n    progress\n    stage\n    queuePosition\n    preview\n    error {\n      code\n      message\n    }\n    prompt {\n      id\n      text\n      negativeText\n    }\n    images {\n      ...ImageFields\n    }\n    model\n    task\n    params\n    createdAt\n    startedAt\n    finishedAt\n  }\n"): (typeof documents)["\n  fragment GenerationFields on Generation {\n    id\n    status\n    progress\n    stage\n    queuePosition\n    preview\n    error {\n      code\n      message\n    }\n    prompt {\n      id\n      text\n      negativeText\n    }\n    images {\n      ...ImageFields\n    }\n    model\n    task\n    params\n    createdAt\n    startedAt\n    finishedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ImageFields on Image {\n    id\n    url\n    thumbnailUrl\n    width\n    height\n    seed\n    contentType\n    byteSize\n    visibility\n    favorite\n    createdAt\n    uploaded\n    prompt {\n      id\n      text\n      negativeText\n    }\n  }\n"): (typeof documents)["\n  fragment ImageFields on Image {\n    id\n    url\n    thumbnailUrl\n    width\n    height\n    seed\n    contentType\n    byteSize\n    visibility\n    favorite\n    createdAt\n    uploaded\n    prompt {\n      id\n      text\n      negativeText\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      id\n      email\n      displayName\n      preferences {\n        ...PreferencesFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      id\n      email\n      displayName\n      preferences {\n        ...PreferencesFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Models {\n    models {\n      ...ModelFields\n      ...EditModelFields\n    }\n  }\n"): (typeof documents)["\n  query Models {\n    models {\n      ...ModelFields\n      ...EditModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      user {\n        id\n        email\n        displayName\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      user {\n        id\n        email\n        displayName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        id\n        email\n        displayName\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        id\n        email\n        displayName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GenerateImages($input: GenerateImagesInput!) {\n    generateImages(input: $input) {\n      ...GenerationFields\n    }\n  }\n"): (typeof documents)["\n  mutation GenerateImages($input: GenerateImagesInput!) {\n    generateImages(input: $input) {\n      ...GenerationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelGeneration($id: ID!) {\n    cancelGeneration(id: $id) {\n      ...GenerationFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelGeneration($id: ID!) {\n    cancelGeneration(id: $id) {\n      ...GenerationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryGeneration($id: ID!) {\n    retryGeneration(id: $id) {\n      ...GenerationFields\n    }\n  }\n"): (typeof documents)["\n  mutation RetryGeneration($id: ID!) {\n    retryGeneration(id: $id) {\n      ...GenerationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription GenerationUpdates($id: ID!) {\n    generationUpdates(id: $id) {\n      ...GenerationFields\n    }\n  }\n"): (typeof documents)["\n  subscription GenerationUpdates($id: ID!) {\n    generationUpdates(id: $id) {\n      ...GenerationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MyGenerationUpdates {\n    myGenerationUpdates {\n      ...GenerationFields\n    }\n  }\n"): (typeof documents)["\n  subscription MyGenerationUpdates {\n    myGenerationUpdates {\n      ...GenerationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Generations($first: Int, $after: String, $status: GenerationStatus) {\n    generations(first: $first, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          ...GenerationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Generations($first: Int, $after: String, $status: GenerationStatus) {\n    generations(first: $first, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          ...GenerationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Images($first: Int, $after: String, $filter: ImageFilter) {\n    images(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          ...ImageFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Images($first: Int, $after: String, $filter: ImageFilter) {\n    images(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          ...ImageFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PublicImages($first: Int, $after: String) {\n    publicImages(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ImageFields\n          owner {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query PublicImages($first: Int, $after: String) {\n    publicImages(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ImageFields\n          owner {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ImageDetail($id: ID!) {\n    node(id: $id) {\n      id\n      ... on Image {\n        ...ImageFields\n        owner {\n          id\n          displayName\n        }\n        generation {\n          id\n          model\n          params\n        }\n        source {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ImageDetail($id: ID!) {\n    node(id: $id) {\n      id\n      ... on Image {\n        ...ImageFields\n        owner {\n          id\n          displayName\n        }\n        generation {\n          id\n          model\n          params\n        }\n        source {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetImageVisibility($id: ID!, $visibility: Visibility!) {\n    setImageVisibility(id: $id, visibility: $visibility) {\n      id\n      visibility\n    }\n  }\n"): (typeof documents)["\n  mutation SetImageVisibility($id: ID!, $visibility: Visibility!) {\n    setImageVisibility(id: $id, visibility: $visibility) {\n      id\n      visibility\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetImageFavorite($id: ID!, $favorite: Boolean!) {\n    setImageFavorite(id: $id, favorite: $favorite) {\n      id\n      favorite\n    }\n  }\n"): (typeof documents)["\n  mutation SetImageFavorite($id: ID!, $favorite: Boolean!) {\n    setImageFavorite(id: $id, favorite: $favorite) {\n      id\n      favorite\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Settings {\n    viewer {\n      id\n      email\n      displayName\n      preferences {\n        ...PreferencesFields\n      }\n      apiKeys {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n      }\n    }\n    models {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  query Settings {\n    viewer {\n      id\n      email\n      displayName\n      preferences {\n        ...PreferencesFields\n      }\n      apiKeys {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n      }\n    }\n    models {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePreferences($input: UpdatePreferencesInput!) {\n    updatePreferences(input: $input) {\n      id\n      preferences {\n        ...PreferencesFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdatePreferences($input: UpdatePreferencesInput!) {\n    updatePreferences(input: $input) {\n      id\n      preferences {\n        ...PreferencesFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($name: String!) {\n    createApiKey(name: $name) {\n      apiKey {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n      }\n      secret\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($name: String!) {\n    createApiKey(name: $name) {\n      apiKey {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n      }\n      secret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Generation($id: ID!) {\n    generation(id: $id) {\n      ...GenerationFields\n    }\n  }\n"): (typeof documents)["\n  query Generation($id: ID!) {\n    generation(id: $id) {\n      ...GenerationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Webhooks {\n    viewer {\n      id\n      webhooks {\n        ...WebhookFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Webhooks {\n    viewer {\n      id\n      webhooks {\n        ...WebhookFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookDeliveries($id: ID!, $first: Int) {\n    node(id: $id) {\n      id\n      ... on Webhook {\n        deliveries(first: $first) {\n          nodes {\n            ...WebhookDeliveryFields\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebhookDeliveries($id: ID!, $first: Int) {\n    node(id: $id) {\n      id\n      ... on Webhook {\n        deliveries(first: $first) {\n          nodes {\n            ...WebhookDeliveryFields\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) {\n      webhook {\n        ...WebhookFields\n      }\n      secret\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) {\n      webhook {\n        ...WebhookFields\n      }\n      secret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateWebhook($input: UpdateWebhookInput!) {\n    updateWebhook(input: $input) {\n      ...WebhookFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateWebhook($input: UpdateWebhookInput!) {\n    updateWebhook(input: $input) {\n      ...WebhookFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      webhook {\n        ...WebhookFields\n      }\n      secret\n      previousSecretExpiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      webhook {\n        ...WebhookFields\n      }\n      secret\n      previousSecretExpiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendTestWebhook($id: ID!) {\n    sendTestWebhook(id: $id) {\n      ...WebhookDeliveryFields\n    }\n  }\n"): (typeof documents)["\n  mutation SendTestWebhook($id: ID!) {\n    sendTestWebhook(id: $id) {\n      ...WebhookDeliveryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RedeliverWebhook($deliveryId: ID!) {\n    redeliverWebhook(deliveryId: $deliveryId) {\n      ...WebhookDeliveryFields\n    }\n  }\n"): (typeof documents)["\n  mutation RedeliverWebhook($deliveryId: ID!) {\n    redeliverWebhook(deliveryId: $deliveryId) {\n      ...WebhookDeliveryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GenerateBatch($input: GenerateBatchInput!) {\n    generateBatch(input: $input) {\n      ...BatchFields\n    }\n  }\n"): (typeof documents)["\n  mutation GenerateBatch($input: GenerateBatchInput!) {\n    generateBatch(input: $input) {\n      ...BatchFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Batch($id: ID!) {\n    batch(id: $id) {\n      ...BatchFields\n    }\n  }\n"): (typeof documents)["\n  query Batch($id: ID!) {\n    batch(id: $id) {\n      ...BatchFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BatchUpdates($id: ID!) {\n    batchUpdates(id: $id) {\n      ...BatchFields\n    }\n  }\n"): (typeof documents)["\n  subscription BatchUpdates($id: ID!) {\n    batchUpdates(id: $id) {\n      ...BatchFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) {\n      id\n      url\n      method\n      headers {\n        name\n        value\n      }\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) {\n      id\n      url\n      method\n      headers {\n        name\n        value\n      }\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PreferencesFields on Preferences {\n    defaultModel\n    width\n    height\n    count\n    stylePreset\n    negativePrompt\n  }\n"): (typeof documents)["\n  fragment PreferencesFields on Preferences {\n    defaultModel\n    width\n    height\n    count\n    stylePreset\n    negativePrompt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebhookFields on Webhook {\n    id\n    url\n    description\n    events\n    enabled\n    disabledReason\n    createdAt\n  }\n"): (typeof documents)["\n  fragment WebhookFields on Webhook {\n    id\n    url\n    description\n    events\n    enabled\n    disabledReason\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebhookDeliveryFields on WebhookDelivery {\n    id\n    event\n    status\n    attempts\n    responseStatus\n    responseBody\n    lastError\n    createdAt\n    nextAttemptAt\n    deliveredAt\n  }\n"): (typeof documents)["\n  fragment WebhookDeliveryFields on WebhookDelivery {\n    id\n    event\n    status\n    attempts\n    responseStatus\n    responseBody\n    lastError\n    createdAt\n    nextAttemptAt\n    deliveredAt\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;