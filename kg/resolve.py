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

import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

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


def canonical_form(mention: Mention | MentionRecord | _Seen) -> str:
    """The name a mention stands for: lexicon name, else the defined long form, else itself."""
    return mention.canonical or mention.long_form or mention.surface


def fullest_form(forms: dict[str, int], preferred: str | None) -> str:
    """The name to show for an entity in one paper: the preferred name if written, else the
    longest form (a long form beats its acronym), ties broken by frequency."""
    if preferred in forms:
        return preferred
    return max(forms, key=lambda form: (len(form), forms[form]))


class _Seen(NamedTuple):
    """What resolution reads of a mention: mentions alike in it count together."""

    surface: str
    long_form: str | None
    type: EntityType
    family: str | None
    canonical: str | None


_seen = operator.itemgetter(*(MentionRecord._fields.index(name) for name in _Seen._fields))


class _Group:
    """Everything seen of one entity (keyed by the normalized canonical form)."""

    def __init__(self) -> None:
        self.names: Counter[str] = Counter()
        self.forms: dict[str, None] = {}
        self.types: Counter[EntityType] = Counter()
        self.family: str | None = None
        self.lexicon_name: str | None = None
        self.papers = 0
        self.mentions = 0

    def add(self, seen: _Seen, count: int) -> None:
        """Count `count` mentions alike (in the order first seen, as mention after mention
        would be: the first name, form, type, family seen comes first)."""
        self.names[canonical_form(seen)] += count
        self.forms.setdefault(seen.surface)
        if seen.long_form:
            self.forms.setdefault(seen.long_form)
        self.types[seen.type] += count
        self.family = self.family or seen.family
        self.lexicon_name = self.lexicon_name or seen.canonical
        self.mentions += count


def resolve(extractions: Iterable[tuple[Paper, Sequence[Mention]]],
            lexicon: Lexicon | None = None) -> Resolution:
    """Group mentions into entities and summarize what each paper says of each entity.

    Two passes over the mentions: the first counts them by what resolution reads of them
    (a few thousand kinds for a million mentions) and gathers each entity's names, forms and
    types from the counts; the second (the keys known) sets each mention's entity and sums
    up what each paper says of each entity.
    """
    lexicon = lexicon or load_lexicon()
    papers = [(paper, Mentions.of(mentions)) for paper, mentions in extractions]
    seen: Counter[tuple] = Counter()
    for _, mentions in papers:
        seen.update(map(_seen, mentions.records))
    groups: dict[str, _Group] = defaultdict(_Group)
    norm_of: dict[str, str] = {}  # each name's group
    for values, count in seen.items():
        alike = _Seen._make(values)
        name = canonical_form(alike)
        norm = norm_of.get(name)
        if norm is None:
            norm = norm_of[name] = normalize_form(name)
        groups[norm].add(alike, count)
    add_families(groups, lexicon)
    keys = {norm: entity_key(name_of(group)) for norm, group in groups.items()}
    resolution = Resolution()
    corpus_records: list[MentionRecord] = []
    for paper, mentions in papers:
        resolution.paper_entities[paper.key] = summarize_paper(paper.key, mentions.records,
                                                               norm_of, keys, groups)
        corpus_records += mentions.records
    resolution.mentions = Mentions.of_records(corpus_records)
    for norm, group in groups.items():
        resolution.entities[keys[norm]] = entity_of(keys[norm], group, keys)
    return resolution


def summarize_paper(paper: str, records: list[MentionRecord], norm_of: dict[str, str],
                    keys: dict[str, str], groups: dict[str, _Group]) -> list[PaperEntityRecord]:
    """Set each of a paper's mentions' entity (in `records`, in place) and sum up what the
    paper says of each entity; count the paper in each entity's group."""
    by_entity: dict[str, list[MentionRecord]] = {}
    for index, mention in enumerate(records):
        norm = norm_of[canonical_form(mention)]
        records[index] = mention = with_entity(mention, keys[norm])
        found = by_entity.get(norm)
        if found is None:
            by_entity[norm] = [mention]
        else:
            found.append(mention)
    summaries = []
    for norm, found in by_entity.items():
        group = groups[norm]
        group.papers += 1
        summaries.append(paper_entity(paper, keys[norm], group.lexicon_name, found))
    return summaries


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
        papers=group.papers, mentions=group.mentions)


def paper_entity(paper: str, key: str, preferred: str | None,
                 found: list[MentionRecord]) -> PaperEntityRecord:
    if len(found) == 1:  # most pairs: no counting needed
        return _single_paper_entity(paper, key, preferred, found[0])
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


def _single_paper_entity(paper: str, key: str, preferred: str | None,
                         mention: MentionRecord) -> PaperEntityRecord:
    """`paper_entity` of one mention: its surface, or its long form when longer (or
    preferred)."""
    surface, long_form = mention.surface, mention.long_form
    forms = (surface,) if not long_form or long_form == surface else (surface, long_form)
    if preferred in forms:
        name = preferred
    else:
        name = long_form if len(forms) == 2 and len(long_form) > len(surface) else surface
    return PaperEntityRecord(
        paper=paper, entity=key, name=name, aliases=tuple(f for f in forms if f != name),
        type=mention.type,
        role=Role.INTRODUCED if mention.role is Role.INTRODUCED else Role.USED, count=1)
