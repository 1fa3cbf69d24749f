import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { Segmented } from '../../src-renderer/components/Segmented';

afterEach(() => {
  cleanup();
});

type Source = 'all' | 'baton' | 'interactive';

function SourceChoice({ showLabel, onChoose }: { showLabel?: boolean; onChoose?: (source: Source) => void }) {
  const [source, setSource] = useState<Source>('all');
  return (
    <Segmented
      label="Source"
      showLabel={showLabel}
      value={source}
      options={[
        { value: 'all', label: 'All' },
        { value: 'baton', label: 'Baton', title: 'Tasks Baton ran' },
        { value: 'interactive', label: 'Interactive', invalid: true },
      ]}
      onChange={(next) => {
        setSource(next);
        onChoose?.(next);
      }}
    />
  );
}

const radio = (name: string) => screen.getByRole('radio', { name });
const checked = () =>
  screen
    .getAllByRole('radio')
    .filter((r) => r.getAttribute('aria-checked') === 'true')
    .map((r) => r.textContent);
const tabStops = () =>
  screen
    .getAllByRole('radio')
    .filter((r) => r.tabIndex === 0)
    .map((r) => r.textContent);

describe('the segmented control', () => {
  it('is a radio group named by its label, the chosen option its one tab stop', () => {
    render(<SourceChoice />);
    const group = screen.getByRole('radiogroup', { name: 'Source' });
    expect(group.querySelectorAll('[role="radio"]')).toHaveLength(3);
    expect(checked()).toEqual(['All']);
    expect(tabStops()).toEqual(['All']);
    expect(radio('Baton').title).toBe('Tasks Baton ran');
    expect(radio('Interactive').getAttribute('aria-invalid')).toBe('true');
    expect(radio('All').getAttribute('aria-invalid')).toBeNull();
  });

  it('moves the choice and the focus with the arrows, wrapping around, and with Home and End', () => {
    const chosen: Source[] = [];
    render(<SourceChoice onChoose={(s) => chosen.push(s)} />);
    radio('All').focus();
    fireEvent.keyDown(radio('All'), { key: 'ArrowRight' });
    expect(checked()).toEqual(['Baton']);
    expect(document.activeElement).toBe(radio('Baton'));
    expect(tabStops()).toEqual(['Baton']);
    fireEvent.keyDown(radio('Baton'), { key: 'ArrowDown' });
    expect(checked()).toEqual(['Interactive']);
    fireEvent.keyDown(radio('Interactive'), { key: 'ArrowRight' });
    expect(checked()).toEqual(['All']);
    fireEvent.keyDown(radio('All'), { key: 'ArrowLeft' });
    expect(checked()).toEqual(['Interactive']);
    expect(document.activeElement).toBe(radio('Interactive'));
    fireEvent.keyDown(radio('Interactive'), { key: 'Home' });
    expect(checked()).toEqual(['All']);
    fireEvent.keyDown(radio('All'), { key: 'End' });
    fireEvent.keyDown(radio('Interactive'), { key: 'ArrowUp' });
    expect(checked()).toEqual(['Baton']);
    expect(chosen).toEqual(['baton', 'interactive', 'all', 'interactive', 'all', 'interactive', 'baton']);
  });

  it('chooses on a click, and leaves other keys and modified arrows alone', () => {
    render(<SourceChoice />);
    fireEvent.click(radio('Interactive'));
    expect(checked()).toEqual(['Interactive']);
    fireEvent.keyDown(radio('Interactive'), { key: 'a' });
    fireEvent.keyDown(radio('Interactive'), { key: 'ArrowRight', altKey: true });
    expect(checked()).toEqual(['Interactive']);
  });

  it('keeps its keys from the page’s own shortcuts', () => {
    const heard: string[] = [];
    const listener = (e: KeyboardEvent) => heard.push(e.key);
    document.addEventListener('keydown', listener);
    try {
      render(<SourceChoice />);
      fireEvent.keyDown(radio('All'), { key: 'ArrowRight' });
      fireEvent.keyDown(radio('Baton'), { key: 'x' });
      expect(heard).toEqual(['x']);
    } finally {
      document.removeEventListener('keydown', listener);
    }
  });

  it('names the group for screen readers alone where the context says what it is', () => {
    render(<SourceChoice showLabel={false} />);
    const group = screen.getByRole('radiogroup', { name: 'Source' });
    const label = document.getElementById(group.getAttribute('aria-labelledby')!)!;
    expect(label.className).toBe('visually-hidden');
  });
});
