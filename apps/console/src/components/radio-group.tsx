/** One choice among a few, as a fieldset of inline radio buttons. */
export function RadioGroup<Value extends string>({
  legend,
  name,
  options,
  value,
  labelOf,
  onChange,
}: {
  legend: string;
  name: string;
  options: readonly Value[];
  value: Value;
  labelOf(option: NoInfer<Value>): string;
  onChange(next: NoInfer<Value>): void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option} className="inline">
          <input
            type="radio"
            name={name}
            value={option}
            checked={value === option}
            onChange={() => onChange(option)}
          />
          {labelOf(option)}
        </label>
      ))}
    </fieldset>
  );
}
