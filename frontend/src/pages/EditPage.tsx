import { useMutation, useQuery } from '@apollo/client';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { BeforeAfter, type Placement } from '../components/BeforeAfter';
import { EditForm } from '../components/EditForm';
import { ErrorMessage } from '../components/ErrorMessage';
import { GenerationProgress } from '../components/GenerationProgress';
import { imageAlt } from '../components/ImageGrid';
import { MaskPainter } from '../components/MaskPainter';
import { PictureDrop } from '../components/PictureDrop';
import { buttonPrimary, buttonSecondary, card, PageHeader, pictureBox, Spinner } from '../components/ui';
import type { ImageDetailQuery, ImageSourceInput } from '../graphql/generated/graphql';
import { GENERATE_IMAGES, IMAGE_DETAIL, MODELS } from '../graphql/operations';
import {
  buildEditInput,
  EDIT_FIELDS_SHOWN_IN_FORM,
  editsPictures,
  editTasks,
  missingInput,
  sourceProblem,
  taskLabel,
  valuesForTask,
  type EditModel,
  type EditValues,
  type Margins,
} from '../lib/editing';
import { describeError, withoutFields } from '../lib/errors';
import { newIdempotencyKey } from '../lib/ids';
import { hasPaint, maskPng, type Stroke } from '../lib/mask';
import { useUpload, type LocalPicture } from '../lib/uploads';
import { useGeneration } from '../lib/useGeneration';
import { useJobControls } from '../lib/useJobControls';

type ImageNode = Extract<NonNullable<ImageDetailQuery['node']>, { url: string }>;

/** The picture being edited: one of the viewer's (or a public) images, or a file not yet uploaded. */
interface Source {
  url: string;
  alt: string;
  width: number;
  height: number;
  /** An image is used by its id; a file is uploaded when it is first used. */
  origin: { imageId: string } | { file: File };
}

/**
 * /edit: drop or choose a picture; /edit/:id: start from an image. Model, task and the
 * task's parameters stay as they are from one picture to the next ("Edit this result").
 */
export function EditPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const models = useQuery(MODELS);
  const image = useQuery(IMAGE_DETAIL, { variables: { id: id ?? '' }, skip: !id });
  const [local, setLocal] = useState<LocalPicture | null>(null);
  const [chosen, setChosen] = useState<EditValues | null>(null);

  // The picture stays in memory as an object URL until another replaces it.
  useEffect(() => () => {
    if (local) URL.revokeObjectURL(local.url);
  }, [local]);

  const editModels = (models.data?.models ?? []).filter(editsPictures);
  const firstModel = editModels[0];
  const values = chosen ?? (firstModel ? valuesForTask(firstModel, editTasks(firstModel)[0]) : null);

  const node = image.data?.node;
  const img = node && 'url' in node ? (node as ImageNode) : null;
  const source: Source | null = id
    ? img && { url: img.url, alt: imageAlt(img), width: img.width, height: img.height, origin: { imageId: img.id } }
    : local && { url: local.url, alt: local.file.name, width: local.width, height: local.height, origin: { file: local.file } };

  const startOver = () => {
    setLocal(null);
    if (id) navigate('/edit');
  };

  let body;
  if (models.loading && !models.data) body = <Spinner label="Loading models" />;
  else if (models.error) body = <ErrorMessage error={models.error} />;
  else if (!values) body = <p className="text-zinc-500 dark:text-zinc-400">None of the models here can edit pictures.</p>;
  else if (id && image.loading && !image.data) body = <Spinner label="Loading the picture" />;
  else if (id && !source) {
    body = (
      <div className="py-10 text-center">
        <ErrorMessage error={image.error} className="mx-auto mb-4 max-w-md" />
        {!image.error ? <p className="text-zinc-500 dark:text-zinc-400">This picture does not exist or is not yours to use.</p> : null}
        <Link to="/edit" className={`${buttonSecondary} mt-4`}>Choose another picture</Link>
      </div>
    );
  } else if (!source) {
    body = (
      <div className={`${card} mx-auto max-w-2xl`}>
        <PictureDrop onPicture={setLocal} />
        <p className="mt-4 text-center text-sm text-zinc-600 dark:text-zinc-400">
          Or open one of your images in the <Link to="/gallery" className="text-violet-700 underline dark:text-violet-300">gallery</Link> and choose Edit.
        </p>
      </div>
    );
  } else {
    body = (
      <EditWorkspace
        // Per picture, by an identity that outlives a refreshed signed URL.
        key={id ?? source.url}
        source={source}
        models={editModels}
        values={values}
        onValues={setChosen}
        onEditResult={(resultId) => navigate(`/edit/${encodeURIComponent(resultId)}`)}
      />
    );
  }

  return (
    <div>
      <PageHeader title="Edit a picture">
        {source ? (
          <button type="button" className={buttonSecondary} onClick={startOver}>
            Use another picture
          </button>
        ) : null}
      </PageHeader>
      {body}
    </div>
  );
}

interface WorkspaceProps {
  source: Source;
  models: EditModel[];
  values: EditValues;
  onValues: (values: EditValues) => void;
  onEditResult: (imageId: string) => void;
}

/** One picture: its mask, the form, and the job it runs with its result. New per picture. */
function EditWorkspace({ source, models, values, onValues, onEditResult }: WorkspaceProps) {
  const [strokes, setStrokes] = useState<Stroke[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  // The margins the job was sent with, to place the source inside an outpainted result.
  const [sentMargins, setSentMargins] = useState<Margins | null>(null);
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [runError, setRunError] = useState<unknown>(null);
  const upload = useUpload();
  const [generate] = useMutation(GENERATE_IMAGES);
  const job = useJobControls(setJobId);
  const { generation } = useGeneration(jobId);

  const model = models.find((m) => m.id === values.model) ?? models[0];
  const tasks = editTasks(model);
  const limits = tasks.find((t) => t.task === values.task) ?? tasks[0];
  const takesMask = limits.mask !== 'NONE';
  const painted = takesMask && hasPaint(strokes);
  const blocked = sourceProblem(limits, source.width, source.height) ?? missingInput(values, limits, painted);
  const problems = describeError(runError ?? job.error);

  const run = async () => {
    setSending(true);
    setRunError(null);
    try {
      let sourceInput: ImageSourceInput;
      if ('imageId' in source.origin) sourceInput = { imageId: source.origin.imageId };
      else {
        // An upload can be the source of any number of jobs: send the file once.
        const id = uploadId ?? (await upload(source.origin.file));
        setUploadId(id);
        sourceInput = { uploadId: id };
      }
      const mask = painted ? { uploadId: await upload(await maskPng(strokes, source.width, source.height)) } : null;
      const res = await generate({
        variables: { input: buildEditInput(values, limits, sourceInput, mask, newIdempotencyKey()) },
      });
      if (res.data) {
        setJobId(res.data.generateImages.id);
        setSentMargins(limits.maxOutpaint != null ? values.outpaint : null);
      }
    } catch (e) {
      setRunError(e);
    } finally {
      setSending(false);
    }
  };

  const result = generation?.status === 'SUCCEEDED' ? generation.images[0] : undefined;
  const resultName = `${taskLabel(generation?.task ?? values.task)} result`;

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <section className={card} aria-labelledby="edit-picture-h">
        <h2 id="edit-picture-h" className="mb-3 flex flex-wrap justify-between gap-2 text-lg font-semibold">
          {takesMask ? 'Paint the mask' : 'Picture'}
          <span className="text-sm font-normal text-zinc-500 dark:text-zinc-400">
            {source.width} × {source.height} pixels
          </span>
        </h2>
        {takesMask ? (
          <MaskPainter picture={source} strokes={strokes} onChange={setStrokes} />
        ) : (
          <img
            src={source.url}
            alt={source.alt}
            width={source.width}
            height={source.height}
            className="mx-auto h-auto rounded-xl"
            style={pictureBox(source.width, source.height)}
          />
        )}
      </section>

      <div className="space-y-6">
        <div className={card}>
          <EditForm
            models={models}
            values={values}
            onPick={(m, l) => onValues(valuesForTask(m, l, values))}
            onChange={(patch) => onValues({ ...values, ...patch })}
            onSubmit={run}
            source={source}
            blocked={blocked}
            submitting={sending}
            problems={problems}
          />
          <ErrorMessage problems={withoutFields(problems, EDIT_FIELDS_SHOWN_IN_FORM)} className="mt-4" />
        </div>

        {generation ? (
          <section className={`${card} space-y-4`} aria-labelledby="edit-result-h">
            <h2 id="edit-result-h" className="text-lg font-semibold">Result</h2>
            <GenerationProgress
              generation={generation}
              label="Edit progress"
              cancelling={job.cancelling}
              onCancel={() => job.cancel(generation.id)}
              onRetry={() => job.retry(generation.id)}
            />
            {result ? (
              <>
                <BeforeAfter
                  before={{ url: source.url, alt: `Before: ${source.alt}` }}
                  after={{ url: result.url, alt: resultName, width: result.width, height: result.height }}
                  placement={sentMargins ? placeSource(source, result, sentMargins) : undefined}
                />
                <div className="flex flex-wrap gap-2">
                  <button type="button" className={buttonPrimary} onClick={() => onEditResult(result.id)}>
                    Edit this result
                  </button>
                  <Link to={`/images/${encodeURIComponent(result.id)}`} className={buttonSecondary}>
                    Open the result
                  </Link>
                </div>
              </>
            ) : null}
          </section>
        ) : null}
      </div>
    </div>
  );
}

/** Where the source sits inside an outpainted result: offset by the margins added. */
function placeSource(source: Source, result: { width: number; height: number }, margins: Margins): Placement {
  return {
    left: (margins.left / result.width) * 100,
    top: (margins.top / result.height) * 100,
    width: (source.width / result.width) * 100,
    height: (source.height / result.height) * 100,
  };
}
