import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { agentLabel, agentOfModel, forkUnavailableReason, MODELS_BY_AGENT } from '../../src-renderer/agents';
import { AGENT_CAPABILITIES, AGENT_KINDS } from '../../src-renderer/contract';
import { BatonCallError } from '../../src-renderer/errors';
import { createLaunchStore } from '../../src-renderer/stores/launch-store';
import { launchErrors, valuesFromSpec } from '../../src-renderer/stores/launch-values';
import { fakeClient, memoryStorage, spec, summary } from './fixtures';
import { read, renderLaunchForm, typed, unfold } from './launch-form-harness';

afterEach(cleanup);

const good = { dir: '/work/demo', prompt: 'fix it' };
const CODEX_MISSING =
  'Codex CLI not found: install it with `npm install -g @openai/codex` (or `npm install` in the Baton checkout), or set BATON_CODEX_BIN to its path';

describe('the agent of a launch', () => {
  it('is sent as spec.agent, Claude Code unless another is chosen', () => {
    expect(read(good).spec?.agent).toBe('claude');
    expect(read({ ...good, agent: 'codex', model: 'gpt-5.5' }).spec).toMatchObject({
      agent: 'codex',
      model: 'gpt-5.5',
    });
  });

  it('takes fork for the agents that can continue a session, as the service does, and refuses it with the reason otherwise', () => {
    for (const agent of AGENT_KINDS) {
      const checked = read({ ...good, agent, context: 'fork' });
      if (AGENT_CAPABILITIES[agent].canFork) {
        expect(checked.spec?.context).toBe('fork');
        expect(forkUnavailableReason(agent)).toBeNull();
      } else {
        expect(checked.spec).toBeNull();
        expect(checked.errors).toEqual({ context: forkUnavailableReason(agent) });
      }
    }
  });

  it('leaves out the fields an agent takes no notice of, whatever they hold', () => {
    const claudeOnly = { maxTurns: '30', allowedTools: 'Edit' };
    expect(read({ ...good, ...claudeOnly }).spec).toMatchObject({ maxTurns: 30, allowedTools: ['Edit'] });
    for (const agent of ['codex', 'gemini'] as const) {
      expect(AGENT_CAPABILITIES[agent].ignores).toEqual(['maxTurns', 'allowedTools']);
      const { spec: sent } = read({ ...good, agent, ...claudeOnly });
      expect(sent).not.toHaveProperty('maxTurns');
      expect(sent).not.toHaveProperty('allowedTools');
    }
  });

  it('puts a missing agent CLI, with its install hint, on the agent field; a lost connection stays on the form', () => {
    expect(launchErrors(new BatonCallError('unavailable', CODEX_MISSING))).toEqual({ agent: CODEX_MISSING });
    expect(
      launchErrors(new BatonCallError('unavailable', 'the codex agent is not available in this version of Baton')),
    ).toEqual({ agent: 'The codex agent is not available in this version of Baton' });
    expect(launchErrors(new BatonCallError('unavailable', 'the connection to Baton is closed'))).toEqual({
      form: 'the connection to Baton is closed',
    });
  });

  it('comes back from a spec for "Run again"; a spec stored before agents had kinds ran Claude Code', () => {
    expect(valuesFromSpec(spec({ agent: 'codex' }), 'acceptEdits').agent).toBe('codex');
    const old = { ...spec(), agent: undefined } as unknown as ReturnType<typeof spec>;
    expect(valuesFromSpec(old, 'acceptEdits').agent).toBe('claude');
  });

  it('drops another agent’s suggested model when switched, keeps a typed one, and keeps fork where the agent can', () => {
    const store = createLaunchStore(fakeClient(), memoryStorage());
    const values = () => store.getState().form.getValues();
    typed(store, { model: 'claude-sonnet-4-5', context: 'fork', agent: 'codex' });
    expect(values()).toMatchObject({ agent: 'codex', model: '', context: 'fork' });
    typed(store, { model: 'my-fine-tune', agent: 'gemini' });
    expect(values()).toMatchObject({
      agent: 'gemini',
      model: 'my-fine-tune',
      context: AGENT_CAPABILITIES.gemini.canFork ? 'fork' : 'fresh',
    });
  });

  it('names agents, old rows included', () => {
    expect(agentLabel('codex')).toBe('Codex');
    expect(agentLabel('claude-code')).toBe('Claude Code');
    expect(agentLabel('aider')).toBe('aider');
    expect(agentOfModel(' gemini-2.5-pro ')).toBe('gemini');
    expect(agentOfModel('gpt-4o')).toBeNull();
  });
});

const plainDir = { exists: true, gitRepository: false, hasCommits: false, branch: null, gitProblem: null };
const answers = (launch: () => Promise<unknown>) => async (method: string) =>
  method === 'listProjects' ? [] : method === 'getDirectoryInfo' ? plainDir : launch();
const suggestions = () =>
  [...screen.getByTestId('launch-known-models').querySelectorAll('option')].map((o) => o.getAttribute('value'));

describe('<LaunchForm> with agents', () => {
  it('offers each agent’s models, labels the permission mode in its terms, and sends the agent chosen', async () => {
    const { launches } = renderLaunchForm(answers(async () => summary({ agent: 'codex' })));
    const agent = screen.getByLabelText('Agent') as HTMLSelectElement;
    expect([...agent.options].map((o) => o.textContent)).toEqual(['Claude Code', 'Codex', 'Gemini']);
    expect(suggestions()).toEqual([...MODELS_BY_AGENT.claude]);
    unfold();
    expect(screen.getByLabelText('Permission mode')).toBeTruthy();

    fireEvent.change(agent, { target: { value: 'codex' } });
    expect(suggestions()).toEqual(['gpt-5.5', 'gpt-5.5-codex']);
    const mode = screen.getByLabelText('Permission mode (Codex sandbox)') as HTMLSelectElement;
    expect(mode.selectedOptions[0]?.textContent).toMatch(/^acceptEdits: workspace-write sandbox/);
    expect(screen.getByText(/Workspace-write sandbox: edits files in the project/)).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Project directory'), { target: { value: '/work/demo' } });
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'fix it' } });
    fireEvent.change(screen.getByLabelText('Model'), { target: { value: 'gpt-5.5' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
    });
    expect(launches()).toHaveLength(1);
    expect(launches()[0]?.input).toMatchObject({ agent: 'codex', model: 'gpt-5.5' });
  });

  it('offers fork for each agent as its capabilities say, and names Gemini’s approval mode', () => {
    renderLaunchForm(answers(async () => summary()));
    unfold();
    const context = screen.getByLabelText('Context') as HTMLSelectElement;
    const fork = () => [...context.options].find((o) => o.value === 'fork')!;
    for (const agent of AGENT_KINDS) {
      fireEvent.change(screen.getByLabelText('Agent'), { target: { value: agent } });
      expect(fork().disabled).toBe(!AGENT_CAPABILITIES[agent].canFork);
    }
    expect(screen.getByLabelText('Permission mode (Gemini approval mode)')).toBeTruthy();
  });

  it('shows a missing agent CLI on the agent field, its install command as code', async () => {
    renderLaunchForm(answers(() => Promise.reject(new BatonCallError('unavailable', CODEX_MISSING))));
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: 'codex' } });
    fireEvent.change(screen.getByLabelText('Project directory'), { target: { value: '/work/demo' } });
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'fix it' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
    });
    const alert = await screen.findByRole('alert');
    expect(alert.id).toBe('launch-agent-error');
    expect(alert.textContent).toBe(CODEX_MISSING.replace(/`/g, ''));
    expect(alert.querySelector('code')?.textContent).toBe('npm install -g @openai/codex');
    expect(screen.getByLabelText('Agent').getAttribute('aria-invalid')).toBe('true');
  });
});
