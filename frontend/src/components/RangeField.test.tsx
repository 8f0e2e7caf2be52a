import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { RangeField } from './RangeField';

describe('RangeField', () => {
  it('shows its value beside the label and reports a changed value as a number', () => {
    const onChange = vi.fn();
    render(
      <RangeField
        label="Strength"
        name="strength"
        min={0}
        max={1}
        step={0.05}
        value={0.6}
        formatValue={(v) => v.toFixed(2)}
        onChange={onChange}
        description="How far the result may move away from the picture."
      />,
    );
    const slider = screen.getByRole('slider', { name: 'Strength (0.60)' });
    expect(slider).toBe(screen.getByLabelText(/Strength/));
    expect(slider).toHaveAttribute('type', 'range');
    expect(slider).toHaveAttribute('name', 'strength');
    expect(slider).toHaveAttribute('min', '0');
    expect(slider).toHaveAttribute('max', '1');
    expect(slider).toHaveAttribute('step', '0.05');
    expect(slider).toHaveValue('0.6');
    expect(slider).toHaveAccessibleDescription('How far the result may move away from the picture.');

    fireEvent.change(slider, { target: { value: '0.25' } });
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith(0.25);
    expect(typeof onChange.mock.calls[0][0]).toBe('number');
  });

  it('shows the bare number by default, uses a given id and marks a refused value', () => {
    render(<RangeField label="Guidance" id="cfg" min={1} max={10} step={0.5} value={7} onChange={() => {}} error="Too high." />);
    const slider = screen.getByRole('slider', { name: 'Guidance (7)' });
    expect(slider).toHaveAttribute('id', 'cfg');
    expect(slider).toBeInvalid();
    expect(slider).toHaveAccessibleDescription('Too high.');
  });
});
