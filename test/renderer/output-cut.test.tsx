import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import { AgentStream } from '../../src-renderer/components/AgentStream';
import { buildStream } from '../../src-renderer/stores/stream';

afterEach(cleanup);

describe('output the recorder cut', () => {
  it('is shown where it was cut, with what was not stored', () => {
    const events: AgentEvent[] = [
      { kind: 'text', text: 'the start of a long text' },
      { kind: 'cut', scope: 'event', bytesNotStored: 786_432, eventsNotStored: 0 },
      { kind: 'cut', scope: 'session', bytesNotStored: 24_117_248, eventsNotStored: 23 },
    ];
    render(<AgentStream items={buildStream(events)} droppedItems={0} />);
    const [event, session] = screen.getAllByTestId('output-cut').map((el) => el.textContent);
    expect(event).toBe('… output cut: 786,432 bytes not stored (the rest of the event above)');
    expect(session).toBe(
      "… output cut: 24,117,248 bytes not stored (23 events after this point; the session's stored output reached its limit)",
    );
  });
});
