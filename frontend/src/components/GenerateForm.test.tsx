import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { models, offline, titan, ultra } from '../test/fixtures';
import { GenerateForm } from './GenerateForm';

function setup(props: Partial<Parameters<typeof GenerateForm>[0]> = {}) {
  const onSubmit = vi.fn();
  const user = userEvent.setup();
  render(<GenerateForm models={models} onSubmit={onSubmit} {...props} />);
  return { onSubmit, user };
}

describe('GenerateForm', () => {
  it('labels the offline model as offline with no AI', () => {
    setup();
    const picker = screen.getByLabelText('Model');
    expect(within(picker).getByRole('option', { name: /Offline renderer — offline, no AI/ })).toBeInTheDocument();
    expect(screen.getByText('Offline · no AI')).toBeInTheDocument();
  });

  it('offers free width and height within the limits of a model without fixed sizes', () => {
    setup();
    const width = screen.getByLabelText('Width');
    expect(width).toHaveAttribute('min', '64');
    expect(width).toHaveAttribute('max', '2048');
    expect(width).toHaveAttribute('step', '64');
    expect(screen.getByLabelText('Height')).toHaveValue(512);
    expect(screen.queryByLabelText('Size')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Style')).not.toBeInTheDocument();
  });

  it('fills width and height from a suggested size and shows a typed size as custom', async () => {
    const { user } = setup();
    const preset = screen.getByLabelText('Size preset');
    await user.selectOptions(preset, '768x512');
    expect(screen.getByLabelText('Width')).toHaveValue(768);
    expect(screen.getByLabelText('Height')).toHaveValue(512);
    await user.clear(screen.getByLabelText('Height'));
    await user.type(screen.getByLabelText('Height'), '640');
    expect(preset).toHaveValue('custom');
  });

  it('switches to the fixed size list, count and quality of a model that has them', async () => {
    const { user } = setup();
    await user.selectOptions(screen.getByLabelText('Model'), titan.id);
    expect(screen.queryByLabelText('Width')).not.toBeInTheDocument();
    const size = screen.getByLabelText('Size');
    expect(within(size).getAllByRole('option').map((o) => o.textContent)).toEqual([
      '1024 × 1024',
      '1152 × 640',
      '768 × 1152',
    ]);
    expect(within(screen.getByLabelText('Number of images')).getAllByRole('option')).toHaveLength(5);
    expect(screen.getByLabelText('Quality')).toHaveValue('standard');
    expect(screen.getByLabelText(/Guidance/)).toHaveValue('8');
  });

  it('shows aspect ratios and styles, and hides what the model cannot do', async () => {
    const { user } = setup();
    await user.selectOptions(screen.getByLabelText('Model'), ultra.id);
    const aspect = screen.getByLabelText('Aspect ratio');
    expect(within(aspect).getAllByRole('option').map((o) => o.textContent)).toEqual(['1:1', '16:9', '9:16', '3:2']);
    expect(within(screen.getByLabelText('Style')).getByRole('option', { name: 'Digital art' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Negative prompt')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Number of images')).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/Guidance/)).not.toBeInTheDocument();
  });

  it('sends only what the chosen model supports, with the size of the chosen aspect ratio', async () => {
    const { user, onSubmit } = setup();
    await user.type(screen.getByLabelText('Negative prompt'), 'blurry');
    await user.selectOptions(screen.getByLabelText('Model'), ultra.id);
    await user.type(screen.getByLabelText('Prompt'), 'a red fox');
    await user.selectOptions(screen.getByLabelText('Aspect ratio'), '16:9');
    await user.selectOptions(screen.getByLabelText('Style'), 'anime');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    const input = onSubmit.mock.calls[0][0];
    expect(input).toMatchObject({ prompt: 'a red fox', model: ultra.id, count: 1, stylePreset: 'anime' });
    expect(input.width / input.height).toBeCloseTo(16 / 9, 1);
    expect(input.width * input.height).toBeLessThanOrEqual(1048576);
    expect(input).not.toHaveProperty('negativePrompt');
    expect(input).not.toHaveProperty('cfgScale');
    expect(input).not.toHaveProperty('seed');
  });

  it('leaves the seed out while "Random seed" is on and sends the typed seed when it is off', async () => {
    const { user, onSubmit } = setup();
    await user.type(screen.getByLabelText('Prompt'), 'lighthouse');
    const random = screen.getByLabelText('Random seed');
    expect(random).toBeChecked();
    expect(screen.getByLabelText('Seed value')).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(onSubmit.mock.calls[0][0]).not.toHaveProperty('seed');

    await user.click(random);
    const seed = screen.getByLabelText('Seed value');
    await user.clear(seed);
    await user.type(seed, '1234');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(onSubmit.mock.calls[1][0]).toMatchObject({ seed: 1234, model: offline.id, width: 512, height: 512 });
  });

  it('fills itself from "use these settings" and keeps sizes the model accepts', () => {
    setup({ initial: { model: titan.id, prompt: 'old prompt', width: 1152, height: 640, seed: 42, randomSeed: false } });
    expect(screen.getByLabelText('Prompt')).toHaveValue('old prompt');
    expect(screen.getByLabelText('Model')).toHaveValue(titan.id);
    expect(screen.getByLabelText('Size')).toHaveValue('1152x640');
    expect(screen.getByLabelText('Seed value')).toHaveValue(42);
  });

  it('does not submit an empty prompt', async () => {
    const { user, onSubmit } = setup();
    expect(screen.getByRole('button', { name: 'Generate' })).toBeDisabled();
    await user.type(screen.getByLabelText('Prompt'), '   {Control>}{Enter}{/Control}');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('shows a refused field next to that field', () => {
    setup({ problems: [{ code: 'BAD_USER_INPUT', title: 'Please check what you entered.', detail: 'width must be a multiple of 64', field: 'width' }] });
    expect(screen.getByText('width must be a multiple of 64')).toBeInTheDocument();
  });
});
