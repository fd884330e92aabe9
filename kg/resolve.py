"""Resolve: mentions -> canonical entities, one per thing across the corpus.

In: each paper with its `Mention`s (from kg.extract). Out: `Resolution`: the `Entity` records
(key, name, type by vote, every alias seen, family link), each mention's entity key (set in
the paper's `Mentions`, and all of them in corpus order), and per paper what it says of each
entity (`PaperEntity` values as `PaperEntityRecord`s: forms written in that paper, type in
that paper, role). A corpus has millions of mentions: each is one record, never copied.

Surface forms are the same entity when they normalize alike (LLaMA-2 / Llama 2 / LLaMA2),
when the lexicon lists them as one entry, or when the paper defines one by the other
("Low-Rank Adaptation (LoRA)"). A size or version variant (Llama-2-7B) is its own entity with
a family link (Llama 2), and lexicon families chain up to their root (LLaMA).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.extract.lexicon import Lexicon, load_lexicon
from kg.model import (
    Entity,
    EntityType,
    Mention,
    MentionRecord,
    Mentions,
    Paper,
    PaperEntityRecord,
    Role,
    entity_key,
    normalize_form,
    with_entity,
)


@dataclass
class Resolution:
    entities: dict[str, Entity] = field(default_factory=dict)
    mentions: Sequence[Mention] = field(default_factory=Mentions)
    paper_entities: dict[str, list[PaperEntityRecord]] = field(default_factory=dict)


def canonical_form(mention: Mention | MentionRecord) -> str:
    """The name a mention stands for: lexicon name, else the defined long form, else itself."""
    return mention.canonical or mention.long_form or mention.surface


def fullest_form(forms: dict[str, int], preferred: str | None) -> str:
    """The name to show for an entity in one paper: the preferred name if written, else the
    longest form (a long form beats its acronym), ties broken by frequency."""
    if preferred in forms:
        return preferred
    return max(forms, key=lambda form: (len(form), forms[form]))


class _Group:
    """Everything seen of one entity (keyed by the normalized canonical form)."""

    def __init__(self) -> None:
        self.names: Counter[str] = Counter()
        self.forms: dict[str, None] = {}
        self.types: Counter[EntityType] = Counter()
        self.family: str | None = None
        self.lexicon_name: str | None = None
        self.papers: set[str] = set()
        self.mentions = 0


def resolve(extractions: Iterable[tuple[Paper, Sequence[Mention]]],
            lexicon: Lexicon | None = None) -> Resolution:
    """Group mentions into entities and summarize what each paper says of each entity.

    Two passes over the mentions: the first gathers each entity's forms, types and papers,
    the second (once the keys are known) sets each mention's entity and sums up each paper.
    """
    lexicon = lexicon or load_lexicon()
    papers = [(paper, Mentions.of(mentions)) for paper, mentions in extractions]
    groups: dict[str, _Group] = defaultdict(_Group)
    norm_of: dict[str, str] = {}  # names repeat across papers: normalize each once
    for paper, mentions in papers:
        for mention in mentions.records:
            name = canonical_form(mention)
            norm = norm_of.get(name)
            if norm is None:
                norm = norm_of[name] = normalize_form(name)
            group = groups[norm]
            group.names[name] += 1
            group.forms.setdefault(mention.surface)
            if mention.long_form:
                group.forms.setdefault(mention.long_form)
            group.types[mention.type] += 1
            group.family = group.family or mention.family
            group.lexicon_name = group.lexicon_name or mention.canonical
            group.papers.add(paper.key)
            group.mentions += 1
    add_families(groups, lexicon)
    keys = {norm: entity_key(name_of(group)) for norm, group in groups.items()}
    resolution = Resolution()
    for norm, group in groups.items():
        resolution.entities[keys[norm]] = entity_of(keys[norm], group, keys)
    corpus_records: list[MentionRecord] = []
    for paper, mentions in papers:
        by_entity: dict[str, list[MentionRecord]] = {}
        records = mentions.records
        for index, mention in enumerate(records):
            norm = norm_of[canonical_form(mention)]
            records[index] = mention = with_entity(mention, keys[norm])
            by_entity.setdefault(norm, []).append(mention)
        corpus_records += records
        resolution.paper_entities[paper.key] = [
            paper_entity(paper.key, keys[norm], groups[norm].lexicon_name, found)
            for norm, found in by_entity.items()]
    resolution.mentions = Mentions.of_records(corpus_records)
    return resolution


def add_families(groups: dict[str, _Group], lexicon: Lexicon) -> None:
    """Give lexicon names their lexicon family, and make every family exist, up to its root."""
    for group in groups.values():
        entry = lexicon.lookup(group.lexicon_name) if group.lexicon_name else None
        if entry and not group.family:
            group.family = entry.family
    pending = [group.family for group in groups.values() if group.family]
    while pending:
        family = pending.pop()
        norm = normalize_form(family)
        if norm in groups:
            continue
        entry = lexicon.lookup(family)
        group = groups[norm]
        group.names[entry.name if entry else family] += 1
        group.lexicon_name = entry.name if entry else None
        group.types[entry.type if entry else EntityType.MODEL] += 1
        group.family = entry.family if entry else None
        if group.family:
            pending.append(group.family)


def name_of(group: _Group) -> str:
    return group.lexicon_name or group.names.most_common(1)[0][0]


def entity_of(key: str, group: _Group, keys: dict[str, str]) -> Entity:
    name = name_of(group)
    family_norm = normalize_form(group.family) if group.family else None
    return Entity(
        key=key, name=name, type=group.types.most_common(1)[0][0],
        aliases=[form for form in group.forms if form != name],
        family=keys.get(family_norm) if family_norm else None,
        papers=len(group.papers), mentions=group.mentions)


def paper_entity(paper: str, key: str, preferred: str | None,
                 found: list[MentionRecord]) -> PaperEntityRecord:
    # plain dicts, not Counters: this runs once per paper and entity, on a few mentions
    forms: dict[str, int] = {}
    types: dict[EntityType, int] = {}
    for mention in found:
        forms[mention.surface] = forms.get(mention.surface, 0) + 1
        types[mention.type] = types.get(mention.type, 0) + 1
    for mention in found:
        if mention.long_form:
            forms[mention.long_form] = forms.get(mention.long_form, 0) + 1
    name = fullest_form(forms, preferred)
    return PaperEntityRecord(
        paper=paper, entity=key, name=name, aliases=tuple(f for f in forms if f != name),
        type=max(types, key=types.__getitem__),  # the most frequent; the first on ties
        role=Role.INTRODUCED if any(m.role is Role.INTRODUCED for m in found) else Role.USED,
        count=len(found))
