"""kg_mentions: accept, type, give a role, repeat through the paper, drop overlaps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterator
from dataclasses import dataclass
from itertools import chain

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.extract.components.candidates import (
    ENUMERATION_LABEL,
    RESOURCES,
    WORD,
    Candidate,
    cue_stops,
    head_types,
    is_name_shaped,
    name_shaped_tokens,
    pattern_data,
    sentence_of,
)
from kg.extract.components.cues import (
    DETERMINERS,
)
from kg.extract.components.definitions import (
    CLASS_ACRONYM,
    OTHER_SENSE,
    TASK_ACRONYM,
)
from kg.extract.lexicon import Lexicon, case_fits, load_lexicon
from kg.extract.tokenizer import span_text, text_of
from kg.model import EntityType, Role, normalize_form


@dataclass(frozen=True)
class Found:
    """An accepted mention: token span, decided type and role, and how it was found."""

    start: int
    end: int
    type: EntityType
    role: Role
    rule: str
    canonical: str | None = None
    family: str | None = None
    long_form: str | None = None


class SentenceWords:
    """The lowercase words of the sentence around a span, read from the paper's text."""

    def __init__(self, doc: Doc):
        self.doc, self.text, self.words = doc, text_of(doc), {}

    def of(self, span: Span) -> frozenset[str]:
        sentence = sentence_of(self.doc, span.start)
        if sentence.start not in self.words:
            piece = self.text[sentence.start_char:sentence.end_char].lower()
            self.words[sentence.start] = frozenset(WORD.findall(piece))
        return self.words[sentence.start]


def drop_generic_activities(doc: Doc, candidates: list[Candidate],
                            texts: dict[Candidate, str]) -> list[Candidate]:
    """'in-context learning', 'knowledge distillation' written in lowercase are activities,
    not names, unless the paper also names them (ICL, an acronym definition, capitals) or
    the name is specific enough to be one ('direct preference optimization': three words).
    Capitals that every word of a title or the first word of a sentence takes do not name
    ('Multi-Task Learning' in a title, 'Supervised fine-tuning is ...')."""
    activities = {c for c in candidates if c.type is EntityType.METHOD
                  and c.source == "lexicon" and written_plainly(doc, c, texts[c])}
    if not activities:
        return candidates
    canonicals = {c.canonical for c in activities}
    # capitals inside a longer name do not name: 'Magnitude Pruning' in 'Iterative
    # Magnitude Pruning' leaves 'magnitude pruning' an activity
    longest = {(span.start, span.end) for span in
               filter_spans([doc[c.start:c.end] for c in candidates])}
    named = {c.canonical for c in candidates if c.canonical in canonicals and (
        c.source == "definition" or len(texts[c].split()) >= 3 or c not in activities
        and (c.start, c.end) in longest and not written_plainly(doc, c, texts[c]))}
    return [c for c in candidates if c not in activities or c.canonical in named]


def written_plainly(doc: Doc, candidate: Candidate, text: str) -> bool:
    """Ordinary words ('k-means' and 'word2vec' are not), lowercase or capitalised only as
    a title's words or a sentence's first word are."""
    words = WORD_SEPARATORS.split(text)
    if not text.islower():
        sentence = sentence_of(doc, candidate.start)
        if sentence.start == 0:  # the title: each word capitalised ('Multi-Task Learning')
            if not all(word[:1].isupper() and word[1:].islower() for word in words):
                return False
        elif not (candidate.start == sentence.start and text[1:].islower()):
            return False
    return all(word.isalpha() and len(word) > 1 for word in words)


WORD_SEPARATORS = re.compile(r"[\s-]+")


def ends_another_name(doc: Doc, start: int, text: str) -> bool:
    """'Quill Transformer', 'Tabular Transformer': a known word (`text`, at `start`)
    after another capitalised word is the end of a name the lexicon does not know, not a
    mention of its own; the first word of a sentence and function words do not count."""
    if not (text.istitle() and text.isalpha()):
        return False
    before = start - 1
    if before < 0 or sentence_of(doc, start).start > before:
        return False
    word = doc[before]
    return word.is_alpha and word.text.istitle() and sentence_of(doc, before).start != before \
        and word.lower_ not in DETERMINERS and word.lower_ not in cue_stops()


COORDINATORS = frozenset({",", "and", "or", "&", "/"})
COORDINATOR_IDS = {hash_string(word): word.isalpha() for word in COORDINATORS}


def coordinator_positions(doc: Doc) -> dict[int, bool]:
    """Positions of the list separators of a paper, each with whether it is a word ('and',
    'or'): one array read, no Token objects."""
    return {i: COORDINATOR_IDS[word] for i, word in enumerate(doc.to_array(LOWER).tolist())
            if word in COORDINATOR_IDS}


def coordinated_names(doc: Doc, candidates: list[Candidate], lexicon: Lexicon) -> list[Candidate]:
    """Name-shaped words listed with a known artifact share its type and role: 'on GSM8K,
    FinQABench and TATQA' makes FinQABench and TATQA benchmarks too; 'we present HingBERT,
    HingRoBERTa and HingGPT' introduces all three, even those found by another rule. A list
    needs a word ('and', 'or') or three items: 'On HumanEval, DraftTree doubles ...' is no
    list."""
    separators = coordinator_positions(doc)
    if not separators:
        return []
    found_at = {c.start: c for c in candidates if c.end == c.start + 1}
    taken = {i for c in candidates for i in range(c.start, c.end)}
    found = []
    for candidate in candidates:
        for step, edge in ((1, candidate.end), (-1, candidate.start - 1)):
            if edge not in separators:  # most names are in no list
                continue
            siblings, joined_by_word = list_members(doc, edge, step, lexicon, found_at,
                                                    separators)
            if not (joined_by_word or len(siblings) >= 2):
                continue
            for i in siblings:
                if i not in taken:
                    found.append(Candidate(i, i + 1, "coordination", "cue", candidate.type,
                                           role=candidate.role))
                    taken.add(i)
                elif i in found_at and (candidate.role and found_at[i].source != "lexicon"
                                        or is_resource_cue(candidate)):
                    found.append(Candidate(i, i + 1, "coordination-of-cue", "cue",
                                           candidate.type if is_resource_cue(candidate)
                                           else None, role=candidate.role))
    return found


OWN_VARIANT = "own-variant"


def own_variants(doc: Doc, candidates: list[Candidate],
                 texts: dict[Candidate, str]) -> list[Candidate]:
    """'QuillNet-Mini', 'Fast-QuillNet', 'QTM-D': a name-shaped word made of a name this
    paper introduces and a hyphenated part is one of its variants, introduced too, of the
    same type, with that name as its family."""
    hyphenated = [(i, text) for i, text in name_shaped_tokens(doc) if "-" in text]
    own = {texts[c]: c for c in candidates if c.role is Role.INTRODUCED and not c.canonical
           and (c.rule in DIRECT_INTRODUCTIONS or c.source == "definition")} \
        if hyphenated else None
    if not own:
        return []
    taken = {i for c in candidates for i in range(c.start, c.end)}
    named = {texts[c] for c in candidates}
    found = []
    for i, text in hyphenated:
        if i in taken or text in named:
            continue
        parts = text.split("-")
        base = next((own[name] for cut in range(1, len(parts))
                     for name in ("-".join(parts[:cut]), "-".join(parts[cut:])) if name in own),
                    None)
        if base is not None:
            found.append(Candidate(i, i + 1, OWN_VARIANT, "cue", base.type, Role.INTRODUCED,
                                   family=texts[base]))
            taken.add(i)
    return found


def is_resource_cue(candidate: Candidate) -> bool:
    """'benchmarks including X, Y and Z': a framing cue that types a whole list."""
    return (candidate.source == "cue" and candidate.type in RESOURCES
            and candidate.rule not in WEAK_RULES)


def list_members(doc: Doc, edge: int, step: int, lexicon: Lexicon, found_at: Container[int],
                 separators: dict[int, bool]) -> tuple[list[int], bool]:
    """Name-shaped or already found words reached from `edge` over list separators (their
    positions, each with whether it is a word: `coordinator_positions`), and whether a word
    separator ('and', 'or') was among them."""
    members, joined_by_word, i = [], False, edge
    sentence = sentence_of(doc, edge)  # a separator's position: inside the paper
    while i in separators:
        while i in separators:
            joined_by_word |= separators[i]
            i += step
        if not (0 <= i < len(doc)):
            break
        text = doc[i].text
        if not (i in found_at or is_name_shaped(text)) or lexicon.is_not_entity(text) \
                or sentence_of(doc, i) != sentence:
            break
        members.append(i)
        i += step
    return members, joined_by_word


def whole_word_matches(text: str, lowered: str, form: str) -> Iterator[tuple[int, int]]:
    """Character spans where `form` occurs in `text` as a whole word, any case.

    `lowered` is text.lower() of the same length; str.find in C instead of a regex per
    name, which would be compiled anew for every name of a large corpus.

    >>> list(whole_word_matches("GSM8K and gsm8k-hard, xGSM8K", "gsm8k and gsm8k-hard, xgsm8k",
    ...                         "GSM8K"))
    [(0, 5)]
    """
    needle, size = form.lower(), len(form)
    position = lowered.find(needle)
    while position >= 0:
        end = position + size
        before = text[position - 1] if position else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-"):
            yield position, end
        position = lowered.find(needle, position + 1)


def is_clean_span(span: Span) -> bool:
    """Starts and ends on a word (not on punctuation) and stays within one line."""
    last = span[-1].text[-1]
    return (span[0].text[0].isalnum() and (last.isalnum() or last in "+#")
            and not any(t.is_space for t in span))


def is_short_acronym(text: str) -> bool:
    """'T2I', 'SSM', 'MoE': few letters, mostly capitals."""
    return len(text) <= 4 and sum(c.isupper() or c.isdigit() for c in text) >= len(text) - 1


def class_acronyms(texts: dict[Candidate, str]) -> set[str]:
    """Short acronyms whose only cue is a plural class noun ('T2I models', 'SSM models'): a
    kind of model, unless another cue or a definition in the paper names one."""
    plural = {normalize_form(text) for c, text in texts.items() if c.rule == "name-models"
              and is_short_acronym(text)}
    named = {normalize_form(text) for c, text in texts.items() if c.rule != "name-models"}
    return plural - named


COMPARISONS = ("like", "style", "esque", "ish")  # 'alike' ends in 'like'
COMPARISON = re.compile(r"-(?:like|alike|style|esque|ish)\b")


def without_mere_comparisons(doc: Doc, spans: list[Span]) -> list[Span]:
    """Drop the names of models a paper only compares other models to ('BERT-style
    encoders', 'GPT-like models'): it neither uses nor introduces them. 'GPT-like' next to
    a plain 'GPT' counts, and so does a technique taken over ('PPO-style updates')."""
    text = text_of(doc)
    if not any(f"-{word}" in text for word in COMPARISONS) or not COMPARISON.search(text):
        return spans
    compared, plain = set(), set()
    for span in spans:
        form = normalize_form(span.text)
        end = span.end
        if COMPARISON.match(text, span.end_char) and end + 2 < len(doc) \
                and head_types().get(doc[end + 2].lower_) == EntityType.MODEL.value:
            compared.add(form)
        else:
            plain.add(form)
    if not compared - plain:
        return spans
    return [span for span in spans if normalize_form(span.text) in plain]


def longest_first(spans: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    """The (start, end) spans that no longer one overlaps (spaCy's filter_spans, on plain
    tuples: no Span objects for the many that are dropped)."""
    kept: dict[tuple[int, int], str] = {}
    taken: set[int] = set()
    for start, end in sorted(spans, key=lambda span: (span[1] - span[0], -span[0]),
                             reverse=True):
        if start not in taken and end - 1 not in taken:
            kept[start, end] = spans[start, end]
            taken.update(range(start, end))
    return kept


def enumeration_labels(text: str) -> set[str]:
    """Labels of enumerated points, '(O1) ..., (O2) ...': not the o1 model, not the P3
    dataset. A letter counts as a label when it numbers two points or more."""
    numbers: dict[str, set[str]] = {}
    for match in ENUMERATION_LABEL.finditer(text):
        numbers.setdefault(match.group(1), set()).add(match.group(2))
    return {normalize_form(letter + number) for letter, found in numbers.items()
            if len(found) >= 2 for number in found}


# a name the lexicon knows is this paper's own only when the paper says so about it
# directly ('we propose X', 'called X', its title); 'our X' or a definition in a sentence
# that introduces something else ('we propose Y, trained with Curriculum Learning (CL)')
# do not make it new
DIRECT_INTRODUCTIONS = frozenset({"we-propose", "by-proposing", "this-paper-proposes", "named",
                                  "we-call", "title-name", "our-name", "name-a-new",
                                  "new-kind-name"})
WEAK_RULES = frozenset({"contains-model", "size-suffix", "coordination", "lexicon-derived",
                        "name-a-new"})


def type_by_name_ending(text: str) -> EntityType | None:
    """'TokenFormer' -> Model, 'Struc-Bench' -> Benchmark, 'PileUp-Corpus' -> Dataset."""
    lowered = text.lower()
    for kind, endings in pattern_data("types.json")["name_endings"].items():
        if any(lowered.endswith(e) and len(lowered) > len(e) + 1 for e in endings):
            return EntityType(kind)
    return None


def type_by_context(words: set[str]) -> EntityType | None:
    """Training words in its sentences make a resource a Dataset, evaluation words a Benchmark."""
    context = pattern_data("types.json")["context"]
    training = bool(words & frozenset(context["Dataset"]))
    evaluation = bool(words & frozenset(context["Benchmark"]))
    if training != evaluation:
        return EntityType.DATASET if training else EntityType.BENCHMARK
    return None


def most_common(types: list[EntityType]) -> EntityType | None:
    return Counter(types).most_common(1)[0][0] if types else None


# 'X dataset', 'benchmarks such as X': the paper says what X is, which outweighs how a
# sentence uses it ('experiments on the X dataset')
NAMING_RULES = frozenset({"name-benchmark", "benchmark-name", "benchmarks-such-as",
                          "name-dataset", "dataset-name", "datasets-such-as"})


def resource_type(candidates: list[Candidate]) -> EntityType | None:
    """Dataset or Benchmark by framing cues: what the paper calls X, else how it uses X
    ('trained on X', 'X object detection')."""
    framing = [c for c in candidates if c.type in RESOURCES and (
        c.source == "cue" and c.rule not in WEAK_RULES or c.source == "context")]
    return most_common([c.type for c in framing if c.rule in NAMING_RULES]) \
        or most_common([c.type for c in framing])


def vote_type(candidates: list[Candidate], text: str, words: set[str]) -> EntityType:
    """The type of one name in one paper, from the strongest evidence there is:

    framing cues ('X benchmark', 'X, a new model') > the lexicon (a dataset or benchmark
    by the words around it) > a definition's or title's description > weak cues (name
    shape, lists) and the name's ending > Method.
    """
    strong = [c.type for c in candidates
              if c.type and c.source == "cue" and c.rule not in WEAK_RULES]
    lexicon = next((c.type for c in candidates if c.source == "lexicon" and c.type), None)
    if lexicon is not None and lexicon not in RESOURCES:
        return lexicon
    strong_resource = resource_type(candidates)
    if lexicon is not None:
        return strong_resource or lexicon
    described = [c.type for c in candidates if c.type and c.source in ("definition", "title")]
    weak = [c.type for c in candidates if c.type and c.rule in WEAK_RULES]
    kind = most_common(strong) or most_common(described) or type_by_name_ending(text) \
        or most_common(weak) or EntityType.METHOD
    if kind in RESOURCES and strong_resource:
        return strong_resource
    if kind in RESOURCES:
        return type_by_context(words) or kind
    return kind


@Language.factory("kg_mentions", default_config={"lexicon_dir": None})
class MentionSelector:
    """Decide which candidates are artifacts; one type and role per name in the paper."""

    def __init__(self, nlp: Language, name: str, lexicon_dir: str | None):
        self.lexicon = load_lexicon(lexicon_dir)

    def __call__(self, doc: Doc) -> Doc:
        texts = {c: span_text(doc, c.start, c.end) for c in doc._.kg_candidates or []}
        rejected, other_senses = self.rejected_forms(doc, texts)
        candidates = [c for c in texts if self.acceptable(c, texts[c], rejected) and not (
            c.source == "lexicon" and normalize_form(texts[c]) in other_senses)]
        candidates = drop_generic_activities(doc, candidates, texts)
        candidates = [c for c in candidates if not (c.source == "lexicon" and texts[c].istitle()
                                                    and ends_another_name(doc, c.start, texts[c]))]
        variants: dict[str, str] = {}
        for candidate in chain(coordinated_names(doc, candidates, self.lexicon),
                               own_variants(doc, candidates, texts)):
            texts[candidate] = span_text(doc, candidate.start, candidate.end)
            if normalize_form(texts[candidate]) not in rejected:
                candidates.append(candidate)
                if candidate.rule == OWN_VARIANT and candidate.family:
                    variants[normalize_form(texts[candidate])] = candidate.family
        by_form: dict[str, list[Candidate]] = {}
        for candidate in candidates:
            by_form.setdefault(normalize_form(texts[candidate]), []).append(candidate)
        for candidate in texts:
            if candidate.source == "context" and normalize_form(texts[candidate]) in by_form:
                by_form[normalize_form(texts[candidate])].append(candidate)
        # a name found only inside a longer one ('Quill Mixing' in a defined 'Quill Mixing
        # with text for images') is not searched for elsewhere
        kept = longest_first({(c.start, c.end): texts[c] for c in candidates})
        echoed = self.echoes(doc, set(kept.values()))
        kept = longest_first({**kept, **{(s.start, s.end): "" for s in echoed}})
        spans = without_mere_comparisons(doc, [doc[start:end] for start, end in sorted(kept)])
        sentence_words = SentenceWords(doc)
        forms = [normalize_form(span_text(doc, span.start, span.end)) for span in spans]
        words: dict[str, set[str]] = {}
        for span, form in zip(spans, forms, strict=True):
            words.setdefault(form, set()).update(sentence_words.of(span))
        types = self.types(by_form, texts, words, variants)
        found = [self.decide(span, by_form[form], types[form])
                 for span, form in zip(spans, forms, strict=True)]
        doc._.kg_mentions = found
        doc.spans["kg"] = [Span(doc, f.start, f.end, label=f.type.value) for f in found]
        return doc

    @staticmethod
    def rejected_forms(doc: Doc, texts: dict[Candidate, str]) -> tuple[set[str], set[str]]:
        """The forms this paper uses otherwise (a class, a task, an enumeration label), and
        those whose lexicon sense it replaces by another one."""
        rejected = class_acronyms(texts) | enumeration_labels(text_of(doc))
        other_senses: set[str] = set()
        vetoes = [(c, text) for c, text in texts.items() if c.source == "veto"]
        if not vetoes:
            return rejected, other_senses
        introduced = {normalize_form(text) for c, text in texts.items()
                      if c.role is Role.INTRODUCED}
        for veto, text in vetoes:
            form = normalize_form(text)
            if veto.rule == OTHER_SENSE:
                other_senses.add(form)
            elif not (veto.rule == TASK_ACRONYM and form in introduced):
                rejected.add(form)
                if veto.rule == CLASS_ACRONYM and text.endswith("s"):
                    rejected.add(normalize_form(text[:-1]))
        return rejected, other_senses

    @staticmethod
    def types(by_form: dict[str, list[Candidate]], texts: dict[Candidate, str],
              words: dict[str, set[str]], variants: dict[str, str]) -> dict[str, EntityType]:
        """One type per name in the paper; a definition's short and long forms vote together;
        `variants`: the forms of variants of the paper's own names, with those names."""
        entity_of = {form: normalize_form(next((c.long_form for c in group if c.long_form), form))
                     for form, group in by_form.items()}
        pooled: dict[str, list[Candidate]] = {}
        context: dict[str, set[str]] = {}
        for form, group in by_form.items():
            pooled.setdefault(entity_of[form], []).extend(group)
            context.setdefault(entity_of[form], set()).update(words.get(form, set()))
        kinds = {entity: vote_type(group, texts[group[0]], context[entity])
                 for entity, group in pooled.items()}
        types = {form: kinds[entity_of[form]] for form in by_form}
        for form, family in variants.items():  # a variant of the paper's own name: its type
            if all(c.rule == OWN_VARIANT or c.source == "context" for c in by_form[form]):
                types[form] = types.get(normalize_form(family), types[form])
        return types

    def acceptable(self, candidate: Candidate, text: str, rejected: set[str]) -> bool:
        """`rejected`: forms this paper uses otherwise (a class, another sense)."""
        if candidate.source in ("veto", "context") or normalize_form(text) in rejected:
            return False
        if candidate.source == "lexicon":
            return True
        if self.lexicon.is_not_entity(text) or candidate.rule == "title-phrase" and (
                self.lexicon.lookup(text) is not None):
            return False  # a known name is not introduced by a title's phrase
        if candidate.source == "cue":
            return is_name_shaped(text) or candidate.role is Role.INTRODUCED
        return True

    @staticmethod
    def echoes(doc: Doc, written: set[str]) -> list[Span]:
        """Other places in the paper where an accepted name occurs without a cue of its own
        (a case-insensitive text search per name, kept where it fits the name's case and
        falls on token boundaries)."""
        paper = text_of(doc)
        lowered = paper.lower()
        if len(lowered) != len(paper):  # a few characters lengthen when lowered: 'İ'
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in paper)
        spellings: dict[str, list[str]] = {}  # the forms written in each lowercase
        for form in written:
            spellings.setdefault(form.lower(), []).append(form)
        spans = []
        for lowercase, forms in spellings.items():
            for start, end in whole_word_matches(paper, lowered, lowercase):
                surface = paper[start:end]
                if not any(case_fits(seen, surface) for seen in forms):
                    continue
                span = doc.char_span(start, end)
                if span is not None and is_clean_span(span) and not (
                        surface.istitle() and ends_another_name(doc, span.start, surface)):
                    spans.append(span)
        return spans

    @staticmethod
    def decide(span: Span, group: list[Candidate], kind: EntityType) -> Found:
        known = any(c.canonical for c in group)  # a variant (Llama-2-7B) is not known
        role = Role.INTRODUCED if any(
            c.role is Role.INTRODUCED and (c.rule in DIRECT_INTRODUCTIONS or not known)
            for c in group) else Role.USED
        best = max(group, key=lambda c: (c.source == "lexicon", c.canonical is not None,
                                         c.family is not None, c.long_form is not None))
        matching = [c for c in group if c.start == span.start and c.end == span.end]
        rule = matching[0].rule if matching else "echo"
        return Found(span.start, span.end, kind, role, rule, best.canonical, best.family,
                     best.long_form)
