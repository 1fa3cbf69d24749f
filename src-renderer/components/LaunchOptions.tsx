/** The launch form's less-used fields, folded under "More options"; those the chosen agent ignores are left out. */
import type { KeyboardEvent } from 'react';
import { useController, useWatch } from 'react-hook-form';
import { useStore } from 'zustand';
import { forkUnavailableReason, PERMISSION_FIELD_LABELS, PERMISSION_MODE_DESCRIPTIONS_BY_AGENT } from '../agents';
import { useServices } from '../app/services';
import {
  AGENT_CAPABILITIES,
  CONTEXT_MODES,
  DEFAULT_STALL_AFTER,
  ON_QUOTA_CHOICES,
  PERMISSION_MODES,
  type AgentIgnoredField,
  type OnQuota,
  type PermissionMode,
} from '../contract';
import { parseAllowedTools, worktreeChoice, type DirectoryCheck, type LaunchValues } from '../stores/launch-values';
import { sentence } from '../text';
import { DisclosureButton } from './Disclosure';
import { ChoiceField, describedBy, FieldError, TextField, useFieldMessage, useLaunchForm } from './LaunchFields';

export const MORE_OPTIONS_ID = 'launch-more-options';

const ON_QUOTA_LABELS: Record<OnQuota, string> = {
  wait: 'wait for its reset (default)',
  stop: 'stop the task',
};

/** What each choice for a spent subscription window does, under the select. */
const ON_QUOTA_HINTS: Record<OnQuota, string> = {
  wait: 'The task holds off, making no calls, until the window resets, then goes on by itself.',
  stop: 'The task stops, resumable, and says when the window reopens.',
};

/** The folded fields' choices in a few words, so what a launch will do shows while they are folded away. */
export function optionsSummary(values: LaunchValues, worktreeOn: boolean): string {
  const heeds = (field: AgentIgnoredField) => !AGENT_CAPABILITIES[values.agent].ignores.includes(field);
  const tools = parseAllowedTools(values.allowedTools).length;
  const parts = [
    values.permissionMode,
    worktreeOn ? 'in a git worktree' : null,
    values.context === 'fork' ? 'context fork' : null,
    values.budgetUsd.trim() ? `budget $${values.budgetUsd.trim()}` : null,
    heeds('maxTurns') && values.maxTurns.trim() ? `max turns ${values.maxTurns.trim()}` : null,
    values.onQuota === 'stop' ? 'stops when the window is spent' : null,
    values.pauseAtUtilization.trim() ? `pauses at ${values.pauseAtUtilization.trim()}% window use` : null,
    values.stallAfter.trim() !== String(DEFAULT_STALL_AFTER) ? `stall after ${values.stallAfter.trim() || '—'}` : null,
    heeds('allowedTools') && tools > 0 ? `${tools} allowed tool${tools === 1 ? '' : 's'}` : null,
    values.title.trim() ? `titled “${values.title.trim()}”` : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The directory check as it stands for the directory typed: an answer about another one is no answer yet. */
function useDirectoryCheck(): DirectoryCheck | null {
  const { launch } = useServices();
  const { control } = useLaunchForm();
  const lastCheck = useStore(launch, (s) => s.directory);
  const dir = useWatch({ control, name: 'dir' }).trim();
  return lastCheck?.dir === dir ? lastCheck : dir === '' ? null : { dir, status: 'checking' };
}

/** The worktree checkbox: on by default for a git repository with commits; off and disabled, with the reason, otherwise. */
function WorktreeField() {
  const { control } = useLaunchForm();
  const { field } = useController({ control, name: 'worktree' });
  const message = useFieldMessage('worktree');
  const directory = useDirectoryCheck();
  const { available, reason } = worktreeChoice(directory);
  const branch = directory?.status === 'ready' ? directory.info.branch : null;
  const hint = available
    ? `A new branch and a folder of its own, made from ${branch ? `branch ${branch}` : 'the current commit'}; one checkpoint commit per iteration. Your checkout is not touched.`
    : `Not available: ${reason ?? ''}`;
  return (
    <div className="field field-span2">
      <label className="checkbox-label" htmlFor="launch-worktree">
        <input
          id="launch-worktree"
          name={field.name}
          ref={field.ref}
          type="checkbox"
          checked={available && field.value}
          disabled={!available}
          onChange={(e) => field.onChange(e.target.checked)}
          onBlur={field.onBlur}
          {...describedBy('worktree', message, true)}
        />
        Run in a git worktree
      </label>
      <p className="field-hint muted" id="launch-worktree-hint" data-testid="worktree-hint">
        {available && reason ? `${reason}. ` : ''}
        {hint}
      </p>
      <FieldError field="worktree" message={message} />
    </div>
  );
}

/** "More options" and, unfolded, the fields past the essentials: grid cells of the form itself. */
export function MoreOptions({ onSelectKey }: { onSelectKey: (e: KeyboardEvent<HTMLSelectElement>) => void }) {
  const { launch } = useServices();
  const open = useStore(launch, (s) => s.moreOpen);
  const setOpen = useStore(launch, (s) => s.setMoreOpen);
  const { control, getValues } = useLaunchForm();
  // Re-rendered on any change, but read whole from the form: fitting a field to the agent sets it while the
  // agent's change is still being told, so the values that change carries are older than these.
  useWatch({ control });
  const values = getValues();
  const worktreeAvailable = worktreeChoice(useDirectoryCheck()).available;
  const worktreeOn = values.worktree && worktreeAvailable;
  const heeds = (field: AgentIgnoredField) => !AGENT_CAPABILITIES[values.agent].ignores.includes(field);
  const modeDescriptions = PERMISSION_MODE_DESCRIPTIONS_BY_AGENT[values.agent];
  const forkReason = forkUnavailableReason(values.agent);

  return (
    <>
      <div className="more-options form-wide">
        <DisclosureButton open={open} controls={MORE_OPTIONS_ID} onToggle={setOpen} small>
          More options
        </DisclosureButton>
        {open ? null : (
          <span className="muted" data-testid="more-options-summary">
            {optionsSummary(values, worktreeOn)}
          </span>
        )}
      </div>
      {open ? (
        <div id={MORE_OPTIONS_ID} className="launch-more" role="group" aria-label="More options">
          <ChoiceField
            field="permissionMode"
            label={PERMISSION_FIELD_LABELS[values.agent]}
            choices={PERMISSION_MODES}
            optionLabel={(mode: PermissionMode) => `${mode}: ${modeDescriptions[mode]}`}
            onKeyDown={onSelectKey}
            hint={`${sentence(modeDescriptions[values.permissionMode])}. Remembered for this project directory.`}
            // The whole row: a mode is named with what it lets the agent do, in Gemini's terms up to 93 characters,
            // which two columns cut short at 1024 px.
            span="all"
          />
          <ChoiceField
            field="context"
            label="Context"
            choices={CONTEXT_MODES}
            optionLabel={(mode) => (mode === 'fork' && forkReason !== null ? 'fork (not with this agent)' : mode)}
            optionDisabled={(mode) => mode === 'fork' && forkReason !== null}
            onKeyDown={onSelectKey}
            hint={forkReason}
            span={1}
          />
          <WorktreeField />
          <TextField
            field="stallAfter"
            label="Stall after"
            hint="End the task, stalled, after this many iterations in a row that change no file and leave the check's output as it was; 0 never."
            inputMode="numeric"
            placeholder={String(DEFAULT_STALL_AFTER)}
          />
          <TextField field="budgetUsd" label="Budget (USD)" inputMode="decimal" placeholder={'no limit'} />
          {heeds('maxTurns') ? (
            <TextField field="maxTurns" label="Max turns" inputMode="numeric" placeholder={'per iteration; no limit'} />
          ) : null}
          <TextField field="title" label="Title" placeholder="the prompt's first line" />
          <ChoiceField
            field="onQuota"
            label="When the subscription window is spent"
            choices={ON_QUOTA_CHOICES}
            optionLabel={(choice: OnQuota) => ON_QUOTA_LABELS[choice]}
            onKeyDown={onSelectKey}
            hint={ON_QUOTA_HINTS[values.onQuota]}
          />
          <TextField
            field="pauseAtUtilization"
            label="Pause at window use (%)"
            hint="Optional: start no iteration while a subscription window is at least this used; wait for its reset."
            inputMode="decimal"
            placeholder={'1–100; no pause'}
          />
          {heeds('allowedTools') ? (
            <TextField
              field="allowedTools"
              label="Allowed tools"
              rows={2}
              span={2}
              spellCheck={false}
              placeholder="optional: Bash(npm test:*), Edit"
              hint="Tools the agent may use without asking: one rule per line or comma-separated, as the CLI spells them."
            />
          ) : null}
        </div>
      ) : null}
    </>
  );
}
