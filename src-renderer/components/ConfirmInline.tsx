import { useEffect, useRef } from 'react';

/**
 * An action asked first, inline: the question, the action (focused, so Enter
 * confirms) and the way back; Escape is the way back too.
 */
export function ConfirmInline({
  question,
  confirmLabel,
  cancelLabel,
  label,
  testId,
  onConfirm,
  onCancel,
}: {
  question: string;
  confirmLabel: string;
  cancelLabel: string;
  /** The group's name for assistive technology ("Confirm stop"). */
  label: string;
  testId: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    confirmButton.current?.focus();
  }, []);
  return (
    <span
      className="confirm"
      role="group"
      aria-label={label}
      data-testid={testId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <span>{question}</span>
      <button type="button" className="danger" ref={confirmButton} onClick={onConfirm}>
        {confirmLabel}
      </button>
      <button type="button" onClick={onCancel}>
        {cancelLabel}
      </button>
    </span>
  );
}
