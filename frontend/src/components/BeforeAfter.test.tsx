import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { BeforeAfter } from './BeforeAfter';

describe('BeforeAfter', () => {
  it('moves the divider by keyboard and shows that much of the before picture', async () => {
    const user = userEvent.setup();
    render(<BeforeAfter before={{ url: '/before.png', alt: 'Before' }} after={{ url: '/after.png', alt: 'After', width: 512, height: 512 }} />);
    const slider = screen.getByRole('slider', { name: 'Before and after' });
    const before = screen.getByAltText('Before');
    expect(slider).toHaveAttribute('aria-valuenow', '50');
    expect(before.style.clipPath).toBe('inset(0 50% 0 0)');

    await user.tab();
    expect(slider).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(slider).toHaveAttribute('aria-valuenow', '45');
    await user.keyboard('{PageUp}');
    expect(slider).toHaveAttribute('aria-valuenow', '70');
    expect(slider).toHaveAttribute('aria-valuetext', '70% before, 30% after');
    await user.keyboard('{End}');
    expect(slider).toHaveAttribute('aria-valuenow', '100');
    expect(before.style.clipPath).toBe('inset(0 0% 0 0)');
    await user.keyboard('{ArrowRight}');
    expect(slider).toHaveAttribute('aria-valuenow', '100');
    await user.keyboard('{Home}');
    expect(before.style.clipPath).toBe('inset(0 100% 0 0)');
  });

  it('places the before picture inside a larger result and clips it where the divider crosses it', () => {
    render(
      <BeforeAfter
        before={{ url: '/before.png', alt: 'Before' }}
        after={{ url: '/after.png', alt: 'After', width: 512, height: 512 }}
        placement={{ left: 25, top: 10, width: 50, height: 80 }}
      />,
    );
    const before = screen.getByAltText('Before');
    expect(before.style.left).toBe('25%');
    expect(before.style.width).toBe('50%');
    // The divider at 50% of the frame is halfway across a picture from 25% to 75%.
    expect(before.style.clipPath).toBe('inset(0 50% 0 0)');
  });
});
