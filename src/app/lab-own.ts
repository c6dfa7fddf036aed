// The lab's own-data inputs: a treebank as three texts (train, dev, test) or one split in file
// order, each from a file or pasted, with the label list and the min count; and what reading it
// found (labels, vocabulary, words that became <unk> per split), shown once the data is made.
import { formatUnknown } from '../data/vocab.ts';
import { byId, h } from './dom.ts';
import { type LabForm, type OwnSummary, type OwnText, ROLES, type Role } from './lab-data.ts';

/** One text of trees: its box, the file button that fills it, and the name it goes by. */
class TreesText {
  private source: string;

  constructor(
    readonly box: HTMLTextAreaElement,
    file: HTMLInputElement,
    private readonly pasted: string,
    onFile: () => void,
  ) {
    this.source = pasted;
    file.addEventListener('change', async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      this.box.value = await chosen.text();
      this.source = chosen.name;
      this.box.dataset.source = chosen.name;
      onFile();
    });
    box.addEventListener('input', () => {
      this.source = this.pasted;
      this.box.dataset.source = this.pasted;
    });
  }

  /** The text and its name in messages (the file's name, or the box's when pasted). */
  get value(): OwnText {
    return { source: this.source, text: this.box.value };
  }
}

/** The own-data part of the lab's form. */
export class OwnInputs {
  private readonly one: TreesText;
  private readonly splits: Record<Role, TreesText>;
  private readonly labels = byId('lab-labels', HTMLInputElement);
  private readonly minCount = byId('lab-min-count', HTMLInputElement);
  private readonly summary = byId('lab-data-summary');

  constructor(private readonly form: HTMLFormElement) {
    const chooseOwn = (split: 'order' | 'files') => () => {
      this.radio('lab-data', 'own').checked = true;
      this.radio('lab-own-split', split).checked = true;
      this.showSplit();
    };
    this.one = new TreesText(
      byId('lab-own-text', HTMLTextAreaElement),
      byId('lab-own-file', HTMLInputElement),
      'trees',
      chooseOwn('order'),
    );
    this.splits = Object.fromEntries(
      ROLES.map((role) => [
        role,
        new TreesText(
          byId(`lab-own-${role}`, HTMLTextAreaElement),
          byId(`lab-own-${role}-file`, HTMLInputElement),
          role,
          chooseOwn('files'),
        ),
      ]),
    ) as Record<Role, TreesText>;
    for (const input of form.querySelectorAll('input[name="lab-own-split"], input[name="lab-data"]'))
      input.addEventListener('change', () => this.showSplit());
    this.showSplit();
  }

  /** The form's own-data fields, as readLabForm takes them. */
  values(): Pick<LabForm, 'ownSplit' | 'own' | 'ownTrain' | 'ownDev' | 'ownTest' | 'labels' | 'minCount'> {
    return {
      ownSplit: this.split(),
      own: this.one.value,
      ownTrain: this.splits.train.value,
      ownDev: this.splits.dev.value,
      ownTest: this.splits.test.value,
      labels: this.labels.value,
      minCount: this.minCount.value,
    };
  }

  /** The text named `source` (to show an error's line), if one of the boxes holds it. */
  textOf(source: string): string | undefined {
    const texts = this.split() === 'files' ? Object.values(this.splits) : [this.one];
    return texts.find((t) => t.value.source === source)?.value.text;
  }

  /** What reading the trees found; none for generated data. */
  showSummary(summary: OwnSummary | undefined): void {
    this.summary.hidden = !summary;
    if (!summary) return;
    const { labels, vocab, minCount, sizes, unknown } = summary;
    const from = {
      given: 'given',
      integers: "the training trees' integers",
      sorted: 'the training trees, sorted',
    };
    const shown = labels.labels.length <= 20 ? `: ${labels.labels.join(' ')}` : '';
    this.summary.replaceChildren(
      h('span', {}, `labels: ${labels.labels.length} classes (${from[labels.origin]})${shown}`),
      h(
        'span',
        {},
        `vocabulary: ${vocab} words of the training trees, <unk> included (min count ${minCount})`,
      ),
      ...ROLES.map((role) =>
        h(
          'span',
          { 'data-role': role, 'data-unknown': String(unknown[role].unknownTokens) },
          `${role}${this.named(role)}: ${sizes[role]} trees; ${formatUnknown(unknown[role])} → <unk>`,
        ),
      ),
    );
  }

  /** ` (file name)` of a split's text when it came from a file. */
  private named(role: Role): string {
    const source = this.split() === 'files' ? this.splits[role].value.source : this.one.value.source;
    return source === role || source === 'trees' ? '' : ` (${source})`;
  }

  private split(): 'order' | 'files' {
    return this.form.querySelector<HTMLInputElement>('input[name="lab-own-split"]:checked')?.value === 'order'
      ? 'order'
      : 'files';
  }

  /** Shows the own-data inputs when own data is chosen, and those of the split chosen. */
  private showSplit(): void {
    byId('lab-own').hidden = !this.radio('lab-data', 'own').checked;
    const files = this.split() === 'files';
    byId('lab-own-files').hidden = !files;
    byId('lab-own-one').hidden = files;
  }

  private radio(name: string, value: string): HTMLInputElement {
    return this.form.querySelector(`input[name="${name}"][value="${value}"]`) as HTMLInputElement;
  }
}
