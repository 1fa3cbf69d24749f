/**
 * One runner per agent the service can run, each finding its binary only when a task first needs
 * it, so the window opens (and explains the problem) on a machine without that agent's CLI.
 */
import { AGENT_CAPABILITIES, type AgentKind } from '../contract/task-spec';
import type { AgentRunner, AgentRunOutcome, AgentRunRequest } from '../core/agents/agent-runner';
import { ClaudeCodeRunner } from '../core/agents/claude-code-runner';
import { CodexRunner } from '../core/agents/codex-runner';
import { findAgentBinary } from '../core/agents/find-agent-binary';
import { GeminiRunner } from '../core/agents/gemini-runner';
import type { BatonEnvironment } from '../core/environment';
import type { Isolation } from '../core/process-containment';

/** How each agent's runner is made from its binary; the service's environment is what the agent inherits. */
type RunnerFactory = (binary: string, env: NodeJS.ProcessEnv | undefined, isolation: Isolation) => AgentRunner;

const FACTORIES: Partial<Record<AgentKind, RunnerFactory>> = {
  claude: (binary, env, isolation) => new ClaudeCodeRunner({ binary, env, isolation }),
  codex: (binary, env, isolation) => new CodexRunner({ binary, env, isolation }),
  gemini: (binary, env, isolation) => new GeminiRunner({ binary, env, isolation }),
};

class LazyAgentRunner implements AgentRunner {
  private runner: AgentRunner | undefined;
  constructor(
    readonly agentName: AgentKind,
    private readonly findBinary: () => string,
    private readonly make: (binary: string) => AgentRunner,
    readonly canFork: boolean,
    readonly reportsCost: boolean,
  ) {}
  ensureAvailable(): void {
    this.runner ??= this.make(this.findBinary());
  }
  run(request: AgentRunRequest): Promise<AgentRunOutcome> {
    this.ensureAvailable();
    return (this.runner as AgentRunner).run(request);
  }
}

export function agentRunners(
  environment: BatonEnvironment,
  agentEnv: NodeJS.ProcessEnv | undefined,
  /** Binaries given by the host (tests), over what the environment says. */
  binaries: Partial<Record<AgentKind, string>> = {},
): Partial<Record<AgentKind, AgentRunner>> {
  const runners: Partial<Record<AgentKind, AgentRunner>> = {};
  for (const [agent, make] of Object.entries(FACTORIES) as Array<[AgentKind, RunnerFactory]>) {
    const find = () =>
      binaries[agent] ??
      findAgentBinary(agent, { configured: environment.agentBinaries[agent], searchPath: environment.searchPath });
    const { canFork, reportsCost } = AGENT_CAPABILITIES[agent];
    runners[agent] = new LazyAgentRunner(
      agent,
      find,
      (binary) => make(binary, agentEnv, environment.isolation),
      canFork,
      reportsCost,
    );
  }
  return runners;
}
