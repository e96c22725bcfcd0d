/**
 * Deterministic tokenizers for the generated language models, in the Hugging Face `tokenizers` JSON format
 * (tokenizer.json) with their tokenizer_config.json, trained here on a short English corpus written for ondevice:
 *   - byte-level BPE (GPT-2 / Llama 3 style: ByteLevel pre-tokenizer and decoder, a BOS-adding template) for the
 *     Llama decoder, with a small BPE trainer;
 *   - WordPiece (BertNormalizer lowercase, BertPreTokenizer, [CLS] … [SEP]) for the BERT encoders.
 * Same corpus and vocabulary size → same bytes: ties are broken by string order, never by hash or Map order.
 */

/** A few paragraphs of plain English prose (original text), the training corpus of both tokenizers. */
export const CORPUS = `The river runs past the old mill at the edge of town, slow in summer and loud in spring. Every morning the
baker opens her shop before the light comes up, and the smell of fresh bread drifts down the street to the water.
Children walk to school along the bank, counting the ducks and throwing small stones that skip three or four times
before they sink. In the evening the bridge fills with people who stop to watch the sun go down behind the hills.

A small model can run on the phone in your hand. It reads a few words, thinks for a moment, and writes the next word,
then the next, one token at a time. How fast it answers depends on the device: the processor, the memory, and the
graphics chip all play a part. We measure the time to the first token, the tokens per second after that, and how much
memory the model needs while it works. A model with eight bits per weight is smaller than one with thirty-two bits,
and a model with four bits is smaller still, but the answers may change a little when the numbers are rounded.

The library on the hill has a reading room with tall windows and long wooden tables. Students come there to study
for their exams, and older people come to read the newspaper and talk quietly about the weather. The librarian knows
where every book belongs. She says that a good catalog is like a map: it does not tell you what to think, only where
to look. On Saturdays she reads stories to the youngest children, who sit on the floor and listen with open mouths.

Cooking is a kind of measurement too. You weigh the flour, warm the milk, and wait for the dough to rise. If the
kitchen is cold, it takes longer; if the yeast is old, it may not rise at all. A careful cook writes down what she
did, so that the next loaf can be better than the last. The same habit helps anyone who tests machines: write down
the settings, repeat the run, and compare the numbers before you believe them.

At night, when the clouds clear, you can see the planets low in the west and the bright band of the galaxy across
the sky. The light from some of those stars left them thousands of years ago. People have always looked up and asked
what is out there, how far away it is, and whether anyone is looking back. Today we build telescopes and send small
machines into space, but the questions are still the same ones that the first farmers asked by their fires.

The train to the city leaves at seven fifteen and arrives at eight forty, if nothing goes wrong. Most days nothing
does. The conductor checks the tickets, a man in a grey coat reads his book, and two friends argue happily about
football. Outside the window the fields turn from green to gold as the year goes on, and the farmers bring in the
harvest before the first frost. When the train reaches the station, everyone stands up at once and walks into the
noise of the morning, carrying coffee, bags, umbrellas, and plans for the day.`;

// ---- byte-level BPE ---------------------------------------------------------------------------------------

/** GPT-2's reversible map from bytes to printable characters (the alphabet of byte-level BPE). */
export function bytesToUnicode(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(printable(b) ? b : 256 + extra++);
  return out;
}

/** The ByteLevel pre-tokenizer's split (GPT-2's pattern, which `use_regex: true` applies). */
export const BYTE_LEVEL_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface BpeModel {
  /** Tokens by id: the special tokens, the 256 byte symbols, then one token per merge. */
  vocab: string[];
  merges: [string, string][];
}

/**
 * Train byte-level BPE: start from the 256 byte symbols and merge the most frequent adjacent pair (ties: the
 * smallest pair in string order) until the vocabulary has `vocabSize` tokens, special tokens included.
 */
export function trainByteLevelBpe(corpus: string, vocabSize: number, specialTokens: readonly string[]): BpeModel {
  const alphabet = bytesToUnicode();
  const encoder = new TextEncoder();
  const counts = new Map<string, number>();
  for (const piece of corpus.match(BYTE_LEVEL_PATTERN) ?? []) {
    const word = Array.from(encoder.encode(piece), (b) => alphabet[b]!).join('\u0000');
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const words = [...counts.entries()].sort((a, b) => compare(a[0], b[0])).map(([w, n]) => ({ symbols: w.split('\u0000'), n }));
  const vocab = [...specialTokens, ...alphabet];
  const known = new Set(vocab);
  const merges: [string, string][] = [];
  while (vocab.length < vocabSize) {
    const pairs = new Map<string, number>();
    for (const { symbols, n } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + n);
      }
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, n] of pairs) {
      if (known.has(key.replace('\u0000', ''))) continue;
      if (n > bestCount || (n === bestCount && best !== null && compare(key, best) < 0)) [best, bestCount] = [key, n];
    }
    if (best === null) throw new Error(`the corpus has too few distinct pairs for a vocabulary of ${vocabSize} (reached ${vocab.length})`);
    const [left, right] = best.split('\u0000') as [string, string];
    const merged = left + right;
    merges.push([left, right]);
    vocab.push(merged);
    known.add(merged);
    for (const word of words) {
      const s = word.symbols;
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) {
          out.push(merged);
          i++;
        } else out.push(s[i]!);
      }
      word.symbols = out;
    }
  }
  return { vocab, merges };
}

/**
 * Ids of the byte-level BPE tokens that decode on their own to printable text (whole UTF-8 characters, no control
 * characters): what a generated model should emit so that its output reads as text, not as stray bytes.
 */
export function bpeTextTokenIds(files: TokenizerFiles): number[] {
  const byteOf = new Map(bytesToUnicode().map((ch, b) => [ch, b]));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const model = files.tokenizer.model as { vocab: Record<string, number> };
  const special = new Set((files.tokenizer.added_tokens as { id: number }[]).map((t) => t.id));
  const ids: number[] = [];
  for (const [token, id] of Object.entries(model.vocab)) {
    if (special.has(id)) continue;
    const bytes = [...token].map((ch) => byteOf.get(ch));
    if (bytes.some((b) => b === undefined)) continue;
    try {
      const text = decoder.decode(Uint8Array.from(bytes as number[]));
      if (/^[^\p{C}]+$/u.test(text)) ids.push(id);
    } catch {
      // not whole UTF-8 characters
    }
  }
  return ids.sort((a, b) => a - b);
}

export interface TokenizerFiles {
  /** tokenizer.json */
  tokenizer: Record<string, unknown>;
  /** tokenizer_config.json */
  config: Record<string, unknown>;
  /** special_tokens_map.json (Python transformers reads it; transformers.js does not need it) */
  specialTokensMap: Record<string, unknown>;
}

const addedToken = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const addedTokensDecoder = (tokens: readonly string[]) =>
  Object.fromEntries(tokens.map((t, id) => [String(id), { content: t, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }]));

/** The special tokens of the BPE tokenizer, ids 0, 1, 2. */
export const BPE_SPECIALS = Object.freeze({ pad: '<pad>', bos: '<s>', eos: '</s>' });

/**
 * Byte-level BPE for the Llama model: ids 0–2 are <pad>, <s> (bos), </s> (eos); BOS is added to every sequence
 * (a TemplateProcessing post-processor, as Llama 3's tokenizer.json has). tokenizer_class PreTrainedTokenizerFast:
 * transformers.js strips "Fast" and uses its PreTrainedTokenizer, as for Llama 3.
 */
export function buildBpeTokenizer(vocabSize: number, modelMaxLength: number, corpus = CORPUS): TokenizerFiles {
  const specials = [BPE_SPECIALS.pad, BPE_SPECIALS.bos, BPE_SPECIALS.eos];
  const { vocab, merges } = trainByteLevelBpe(corpus, vocabSize, specials);
  const bos = { SpecialToken: { id: BPE_SPECIALS.bos, type_id: 0 } };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((t, id) => addedToken(id, t)),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: BPE_SPECIALS.bos, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { [BPE_SPECIALS.bos]: { id: BPE_SPECIALS.bos, ids: [1], tokens: [BPE_SPECIALS.bos] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((t, id) => [t, id])),
      merges,
    },
  };
  const config = {
    add_bos_token: true,
    add_eos_token: false,
    added_tokens_decoder: addedTokensDecoder(specials),
    bos_token: BPE_SPECIALS.bos,
    eos_token: BPE_SPECIALS.eos,
    pad_token: BPE_SPECIALS.pad,
    clean_up_tokenization_spaces: false,
    model_max_length: modelMaxLength,
    padding_side: 'left',
    tokenizer_class: 'PreTrainedTokenizerFast',
    chat_template:
      "{% for message in messages %}{{ message['role'] + ': ' + message['content'] + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}",
  };
  return { tokenizer, config, specialTokensMap: { bos_token: BPE_SPECIALS.bos, eos_token: BPE_SPECIALS.eos, pad_token: BPE_SPECIALS.pad } };
}

// ---- WordPiece ---------------------------------------------------------------------------------------------

export const WORDPIECE_SPECIALS = Object.freeze(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const);

/** BertNormalizer (lowercase, strip accents) then BertPreTokenizer (split on whitespace and punctuation). */
export function bertWords(text: string): string[] {
  const normalized = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '');
  return normalized.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
}

/**
 * WordPiece vocabulary: the special tokens, every character of the corpus and its ##continuation, the corpus
 * words by frequency, then the most useful word prefixes and ##suffixes (frequency × extra length) up to
 * `vocabSize`. Any lowercase ASCII text can be spelled, so English never needs [UNK].
 */
export function trainWordPiece(corpus: string, vocabSize: number): string[] {
  const freq = new Map<string, number>();
  for (const w of bertWords(corpus)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const words = [...freq.keys()].sort(compare);
  const vocab: string[] = [...WORDPIECE_SPECIALS];
  const known = new Set(vocab);
  const add = (t: string) => {
    if (vocab.length < vocabSize && !known.has(t)) {
      vocab.push(t);
      known.add(t);
    }
  };
  // Every lowercase ASCII letter, digit and punctuation mark too, so any English text spells without [UNK].
  const alnum = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
  const chars = new Set<string>([...alnum, ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~']);
  const inner = new Set<string>(alnum);
  for (const w of words) [...w].forEach((ch, i) => (i === 0 ? chars : inner).add(ch));
  for (const ch of [...chars, ...inner].sort(compare)) add(ch);
  for (const ch of [...inner].sort(compare)) add(`##${ch}`);
  if (vocab.length >= vocabSize) throw new Error(`a WordPiece vocabulary of ${vocabSize} cannot hold this corpus's characters (${vocab.length})`);
  for (const w of [...words].sort((a, b) => freq.get(b)! - freq.get(a)! || compare(a, b))) add(w);
  const pieces = new Map<string, number>();
  for (const w of words) {
    const cs = [...w];
    for (let i = 2; i < cs.length; i++) pieces.set(cs.slice(0, i).join(''), (pieces.get(cs.slice(0, i).join('')) ?? 0) + freq.get(w)! * (i - 1));
    for (let i = 1; i < cs.length - 1; i++) {
      const piece = `##${cs.slice(i).join('')}`;
      pieces.set(piece, (pieces.get(piece) ?? 0) + freq.get(w)! * (cs.length - i - 1));
    }
  }
  for (const [piece] of [...pieces.entries()].sort((a, b) => b[1] - a[1] || compare(a[0], b[0]))) add(piece);
  if (vocab.length < vocabSize) throw new Error(`the corpus gives only ${vocab.length} WordPiece tokens; asked for ${vocabSize}`);
  return vocab;
}

/** WordPiece for the BERT models: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4; "[CLS] A [SEP]" and "[CLS] A [SEP] B [SEP]". */
export function buildWordPieceTokenizer(vocabSize: number, modelMaxLength: number, corpus = CORPUS): TokenizerFiles {
  const vocab = trainWordPiece(corpus, vocabSize);
  const special = (id: string, type_id: number) => ({ SpecialToken: { id, type_id } });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: WORDPIECE_SPECIALS.map((t, id) => addedToken(id, t)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]', 0)],
      pair: [special('[CLS]', 0), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]', 0), { Sequence: { id: 'B', type_id: 1 } }, special('[SEP]', 1)],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, id) => [t, id])),
    },
  };
  const config = {
    added_tokens_decoder: addedTokensDecoder(WORDPIECE_SPECIALS),
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: modelMaxLength,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  };
  return { tokenizer, config, specialTokensMap: { cls_token: '[CLS]', mask_token: '[MASK]', pad_token: '[PAD]', sep_token: '[SEP]', unk_token: '[UNK]' } };
}
