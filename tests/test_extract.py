import re

import pytest
import spacy
from spacy.tokenizer import Tokenizer

import kg
from kg.extract import build_pipeline, extract
from kg.extract.tokenizer import EXTRA_INFIXES, EXTRA_SUFFIXES
from kg.ingest import ingest
from kg.model import EntityType, Role

from .conftest import MINI


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def found(nlp, text):
    doc = nlp(text)
    return {doc[f.start:f.end].text: f for f in doc._.kg_mentions}


@pytest.mark.parametrize("name", ["GSM8K", "CC3M", "Llama-2-7B", "GPT-3.5-turbo", "BERT_LARGE",
                                  "NLVR2", "ViT-B/16", "HumanEval+"])
def test_tokenizer_keeps_names_whole(nlp, name):
    doc = nlp.make_doc(f"We compare with {name}, and more.")
    assert name in [t.text for t in doc]


def test_tokenizer_splits_modifiers_and_final_periods(nlp):
    assert [t.text for t in nlp.make_doc("LoRA-based tuning of GPT-4.")] == [
        "LoRA", "-", "based", "tuning", "of", "GPT-4", "."]


def test_a_result_verb_glued_to_a_name_by_a_lost_dash_ends_it(nlp):
    assert [t.text for t in nlp.make_doc("QuillQA-demonstrate gains")] == [
        "QuillQA", "-", "demonstrate", "gains"]
    assert "QuillQA" in found(nlp, "Results on GSM8K, HotpotQA and QuillQA-demonstrate gains.")


ALL_LETTERS = "".join(c for c in map(chr, range(0x110000)) if c.isalpha())


def test_no_affix_or_url_pattern_matches_letters_only(nlp):
    """What kg.extract.tokenizer.SkipsLetters relies on, for every letter of Unicode: no
    prefix, suffix or infix pattern matches anywhere in a run of letters, and no run of
    letters is a URL."""
    defaults = nlp.Defaults
    tokenizer = nlp.tokenizer
    affixes = [*defaults.prefixes, *defaults.suffixes, *defaults.infixes, *EXTRA_SUFFIXES,
               *EXTRA_INFIXES]
    assert all(re.search(pattern, ALL_LETTERS) is None for pattern in affixes if pattern)
    assert tokenizer.url_match("word") is None
    url = tokenizer.url_match.__self__.compiled
    pieces = [ALL_LETTERS[i:i + 40] for i in range(0, len(ALL_LETTERS), 40)]
    assert not any(url.match(piece) for piece in pieces)
    assert url.match("arxiv.org/abs/2401") and tokenizer.url_match("arxiv.org/abs/2401")


def test_skipping_letters_tokenizes_as_the_plain_patterns_do(nlp):
    plain = build_pipeline().tokenizer
    plain.prefix_search = plain.prefix_search.__self__.compiled.search
    plain.suffix_search = plain.suffix_search.__self__.compiled.search
    plain.infix_finditer = plain.infix_finditer.__self__.compiled.finditer
    plain.url_match = plain.url_match.__self__.compiled.match
    for paper in ingest([kg.sample_dir()]).papers:
        assert [t.text for t in nlp.make_doc(paper.text)] == [
            t.text for t in plain(paper.text)], paper.title
    restored = Tokenizer(nlp.vocab).from_bytes(nlp.tokenizer.to_bytes())
    assert restored.suffix_search.__self__.pattern == nlp.tokenizer.suffix_search.__self__.pattern


def test_new_words_get_the_attributes_the_components_read(nlp):
    doc = nlp("QuillNet7 beats Zorblax-v2 on wug-test.")
    assert [t.shape_ for t in doc[:2]] == ["XxxxxXxxd", "xxxx"]
    assert [t.lower_ for t in doc[:3]] == ["quillnet7", "beats", "zorblax-v2"]
    assert (doc[1].is_alpha, doc[1].is_lower, doc[0].is_title, doc[-1].is_punct) == (
        True, True, False, True)
    # what no component reads is not computed for new words (it costs time on every word)
    assert doc.vocab["wug-test"].norm_ == ""


def test_lexicon_names_with_types(nlp):
    names = found(nlp, "Title\n\nWe evaluate on GSM8K and MMLU after tuning with LoRA on C4.")
    assert names["GSM8K"].type is EntityType.BENCHMARK
    assert names["MMLU"].type is EntityType.BENCHMARK
    assert names["LoRA"].type is EntityType.METHOD
    assert all(f.role is Role.USED for f in names.values())


def test_case_rules_keep_ordinary_words_out(nlp):
    names = found(nlp, "Fast Math\n\nWe study math word problems and report results on MATH.")
    assert "MATH" in names and "Math" not in names and "math" not in names


def test_abbreviation_definition_links_long_and_short_form(nlp):
    names = found(nlp, "T\n\nWe propose Sparse Token Routing (STR), which routes tokens.")
    assert names["STR"].long_form == "Sparse Token Routing"
    assert names["Sparse Token Routing"].role is Role.INTRODUCED


def test_title_name_and_we_propose_are_introduced_and_typed_by_description(nlp):
    names = found(nlp, "Zephyrus: Fast Decoding\n\nWe present StarCount, a new benchmark for "
                       "counting. Zephyrus is simple.")
    assert names["Zephyrus"].role is Role.INTRODUCED
    assert names["StarCount"].role is Role.INTRODUCED
    assert names["StarCount"].type is EntityType.BENCHMARK


@pytest.mark.parametrize(("description", "kind"), [
    ("a small and fast garment-fitting diffusion model", EntityType.MODEL),
    ("a plain yet strong method", EntityType.METHOD),
    ("a benchmark and a training set", EntityType.BENCHMARK)])
def test_the_description_after_a_new_name_gives_its_type(nlp, description, kind):
    names = found(nlp, f"T\n\nWe propose QuillVTN, {description} for garments.")
    assert names["QuillVTN"].type is kind


def test_sentences_are_drawn_as_spacys_sentencizer_draws_them(nlp):
    texts = [paper.text for paper in ingest([MINI]).papers] + [
        'A Title: No Period\n\nWe use GSM8K (e.g. for math). It works! "Yes." Done',
        "", "   ", "Only a title", "Ends with a period.\n\n"]
    reference = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    reference.add_pipe("sentencizer")
    for text in texts:
        ours, theirs = nlp(text), reference.make_doc(text)
        title_break = next((t.i + 1 for t in theirs[:-1] if t.is_space and "\n" in t.text), None)
        if title_break is not None:
            theirs[title_break].is_sent_start = True
        theirs = reference.get_pipe("sentencizer")(theirs)
        assert [s.text for s in ours.sents] == [s.text for s in theirs.sents], text
    doc = nlp('A Title: No Period\n\nWe use GSM8K (e.g. for math). It works! "Yes." Done')
    assert [s.text.strip() for s in doc.sents][:2] == [
        "A Title: No Period", "We use GSM8K (e.g. for math)."]


def test_a_definition_of_another_sense_overrides_the_lexicon(nlp):
    names = found(nlp, "T\n\nWe parse the abstract syntax tree (AST) of code. The AST helps.")
    assert "AST" not in names  # the lexicon's AST is the Audio Spectrogram Transformer
    names = found(nlp, "T\n\nWe tag audio with the Audio Spectrogram Transformer (AST).")
    assert names["AST"].type is EntityType.MODEL


def test_a_short_acronym_before_a_plural_class_noun_is_a_class(nlp):
    names = found(nlp, "T\n\nWe prune T2I models. We train QuillNet models and the QRX model.")
    assert "T2I" not in names
    assert names["QuillNet"].type is EntityType.MODEL and names["QRX"].type is EntityType.MODEL


def test_every_name_of_an_introduced_list_is_introduced_but_not_known_ones(nlp):
    names = found(nlp, "T\n\nWe present QuillBERT, QuillRoBERTa and QuillGPT, and compare "
                       "them with BERT, GPT-2 and T5.")
    assert {n for n, f in names.items() if f.role is Role.INTRODUCED} == {
        "QuillBERT", "QuillRoBERTa", "QuillGPT"}


def test_a_known_name_is_introduced_only_by_a_direct_cue(nlp):
    names = found(nlp, "T\n\nWe propose QuillNet, tuned with Low-Rank Adaptation (LoRA) on "
                       "COCO. Our COCO results and our QuillNet-7B checkpoint are public.")
    assert names["QuillNet"].role is Role.INTRODUCED
    assert names["COCO"].role is Role.USED and names["LoRA"].role is Role.USED
    assert names["QuillNet-7B"].role is Role.INTRODUCED


def test_our_checkpoint_keeps_its_size_and_a_new_corpus_is_introduced(nlp):
    names = found(nlp, "T\n\nOur preference-tuned Qwen2 13B is strong. We release a new "
                       "speech-text alignment corpus QuillSpeech-5K.")
    assert names["Qwen2 13B"].role is Role.INTRODUCED
    assert names["QuillSpeech-5K"].role is Role.INTRODUCED
    assert names["QuillSpeech-5K"].type is EntityType.DATASET


def test_a_typed_list_types_every_member(nlp):
    names = found(nlp, "T\n\nWe test on captioning benchmarks such as YouCook2, VATEX and "
                       "Charades.")
    assert {names[n].type for n in ("YouCook2", "VATEX", "Charades")} == {EntityType.BENCHMARK}


def test_sizes_and_editions_make_variants_of_known_names(nlp):
    names = found(nlp, "T\n\nWe compare OPT XL and Bloom 3B with BERT on iNat 2017.")
    assert names["Bloom 3B"].family == "BLOOM" and "Bloom" not in found(nlp, "T\n\nA Bloom.")
    assert names["OPT XL"].family == "OPT" and names["iNat 2017"].family == "iNaturalist"
    assert names["BERT"].family is None


def test_we_propose_takes_one_capitalised_word_but_not_a_phrase(nlp):
    names = found(nlp, "T\n\nWe propose Quillmore, a method for tables. We present Online "
                       "Table Reading for scans.")
    assert names["Quillmore"].role is Role.INTRODUCED
    assert not any(name.startswith("Online") for name in names)


def test_shape_candidates_need_a_cue(nlp):
    names = found(nlp, "T\n\nThe XQZ7 team met. Results on XQZ8 improve.")
    assert "XQZ8" in names and "XQZ7" not in names


def test_generic_classes_are_not_entities(nlp):
    names = found(nlp, "T\n\nLarge language models (LLMs) and CNNs help NLP on GPUs.")
    assert not names


def test_mentions_keep_sentence_and_character_span():
    corpus = ingest([MINI])
    for paper, mentions in extract(corpus.papers):
        for mention in mentions:
            assert paper.text[mention.start:mention.end] == mention.surface
            assert mention.surface in mention.sentence
            assert mention.sentence in paper.text


def test_corpus_pass_finds_a_name_introduced_elsewhere():
    from kg.extract.corpus import discovered_names, propagate
    from kg.model import Paper
    papers = [Paper(key="a", id="a", title="FooNet: Fast Nets",
                    abstract="We propose FooNet, a model for images."),
              Paper(key="b", id="b", title="Other Things",
                    abstract="Results improve when FooNet is combined with pruning.")]
    first_pass = list(extract(papers))
    assert first_pass[1][1] == []
    names = discovered_names(first_pass)
    assert names["FooNet"].type is EntityType.MODEL
    second = dict((p.key, m) for p, m in propagate(first_pass, names))
    [mention] = second["b"]
    assert (mention.surface, mention.rule, mention.role) == ("FooNet", "corpus", Role.USED)
    assert papers[1].text[mention.start:mention.end] == "FooNet"


def test_parallel_extraction_gives_the_same_mentions():
    papers = ingest([MINI]).papers * 3
    serial = [m for _, m in extract(papers)]
    parallel = [m for _, m in extract(papers, jobs=2, batch_size=2)]
    assert serial == parallel


def test_enumeration_labels_and_quantities_are_not_names(nlp):
    names = found(nlp, "T\n\nWe list two issues: (O1) slow training and (O2) poor recall. "
                       "We fix O2 with a 4TB corpus stored in fp32 data type.")
    assert not names


def test_an_acronym_defined_as_a_task_is_no_artifact_in_that_paper(nlp):
    names = found(nlp, "T\n\nWe study speech-to-text translation (ST). Strong ST models and "
                       "ST datasets are rare.")
    assert not names
    names = found(nlp, "QIC: Quicker Captions\n\nWe train with Quill Image Captioning (QIC). "
                       "QIC works.")
    assert names["QIC"].role is Role.INTRODUCED


def test_a_camelcase_name_ending_in_a_short_part_keeps_its_case(nlp):
    assert "Complex" not in found(nlp, "Agents for Complex Document Processing\n\nWe help.")


def test_capitals_of_a_title_or_a_sentence_start_do_not_name_an_activity(nlp):
    names = found(nlp, "Quill Pruning with Multi-Task Learning\n\nSupervised fine-tuning "
                       "helps. We prune with multi-task learning.")
    assert not names
    names = found(nlp, "From GaLore to Quill\n\nWe train with multi-task learning (MTL).")
    assert "GaLore" in names and "multi-task learning" in names


def test_a_name_after_called_is_the_whole_capitalised_phrase(nlp):
    names = found(nlp, "T\n\nWe add a step called Quill Token Mixing of Multi-modal Pre-training "
                       "to tagging for Named Entity Recognition.")
    assert "Quill Token Mixing of Multi-modal Pre-training" in names
    assert not any(name.startswith("Entity") for name in names)


def test_a_name_found_only_inside_a_longer_name_is_not_searched_elsewhere(nlp):
    names = found(nlp, "Quill Mixing Scales\n\nWe propose a method named Quill "
                       "Mixing with text for images (QMTI).")
    assert "QMTI" in names and "Quill Mixing" not in names


def test_what_a_paper_calls_a_resource_outweighs_how_a_sentence_uses_it(nlp):
    names = found(nlp, "T\n\nExperiments on the LJSpeech dataset and on the QuillSpeech "
                       "dataset show gains.")
    assert names["LJSpeech"].type is EntityType.DATASET
    assert names["QuillSpeech"].type is EntityType.DATASET


def test_a_known_dataset_before_a_task_or_metric_is_evaluated_on(nlp):
    names = found(nlp, "T\n\nWe reach 50.1 AP on COCO object detection, 80% ImageNet top-1 "
                       "accuracy and QZ4 object detection gains.")
    assert names["COCO"].type is EntityType.BENCHMARK
    assert names["ImageNet"].type is EntityType.BENCHMARK
    assert "QZ4" not in names  # a task after a word types a name, it finds none


@pytest.mark.parametrize(("sentence", "name", "kind"), [
    ("We build a new corpus, Quillset, that holds tables.", "Quillset", EntityType.DATASET),
    ("We propose a novel method, Learning-to-Quill (L2Q), that mixes.", "Learning-to-Quill",
     EntityType.METHOD),
    ("The resulting model, Quillmate, is small.", "Quillmate", EntityType.MODEL),
    ("We design a new optimizer, namely QU-ADAM, for sparse nets.", "QU-ADAM",
     EntityType.METHOD)])
def test_a_name_in_apposition_to_a_new_kind_is_introduced(nlp, sentence, name, kind):
    names = found(nlp, f"T\n\n{sentence}")
    assert names[name].type is kind and names[name].role is Role.INTRODUCED


def test_a_subject_after_an_opening_phrase_is_no_apposition(nlp):
    names = found(nlp, "T\n\nInside one shared pipeline, Quillmate handles two inputs. "
                       "Like a popular method, Quillnote helps.")
    assert not names


def test_the_description_after_a_definition_types_it(nlp):
    names = found(nlp, "T\n\nWe introduce QuBERT (Quill-refined BERT), a novel method for "
                       "training. We present Tiny Quill Mixers (TQM), a small model.")
    assert names["QuBERT"].type is EntityType.METHOD
    assert names["Tiny Quill Mixers"].type is EntityType.MODEL


def test_a_participle_after_a_comma_describes_nothing(nlp):
    names = found(nlp, "T\n\nWe propose QuillFormer, addressing slow training through an "
                       "attention module.")
    assert names["QuillFormer"].type is EntityType.MODEL  # by its ending, not 'module'


def test_a_name_called_in_a_plural_list_is_not_the_lists_kind(nlp):
    names = found(nlp, "T\n\nWe propose a pruning framework for LLMs, named QPRUNE (Quill "
                       "Pruning).")
    assert names["QPRUNE"].type is EntityType.METHOD


@pytest.mark.parametrize(("sentence", "name", "kind"), [
    ("We introduce a new legal LM (QuillLaw), trained on rulings.", "QuillLaw",
     EntityType.MODEL),
    ("It works by proposing Quillmix, a simple diffusion model.", "Quillmix", EntityType.MODEL),
    ("This paper proposes QuillSort, a generic solution for ranking.", "QuillSort",
     EntityType.METHOD)])
def test_more_framings_of_a_new_name(nlp, sentence, name, kind):
    names = found(nlp, f"T\n\n{sentence}")
    assert names[name].type is kind and names[name].role is Role.INTRODUCED


def test_definitions_of_digit_acronyms_and_of_named_plurals(nlp):
    names = found(nlp, "T\n\nWe propose Sharded Sequence Sliced Quill Training (S3QT). Unlike "
                       "Gradient Boosted Quill Trees (GBQTs) and deep neural networks (DNNs), "
                       "Quill Foundation Models (QFMs) are a class.")
    assert names["S3QT"].long_form == "Sharded Sequence Sliced Quill Training"
    assert "GBQTs" in names
    assert not {"DNNs", "QFMs"} & set(names)


def test_a_definition_before_a_closing_emoticon_and_a_head_noun_after_brackets(nlp):
    names = found(nlp, "T\n\nIt has (ii) Dual Quill Projected Descent (DQPD): a novel "
                       "optimizer, and a Conditional Quill Synthesis (CQS) module.")
    assert names["DQPD"].type is EntityType.METHOD
    assert names["CQS"].type is EntityType.METHOD  # 'synthesis' alone would make it a task


def test_a_capitalised_definition_of_another_sense_is_the_papers_own_name(nlp):
    names = found(nlp, "T\n\nIt has a Conditional Latent Matching (CLM) module. CLM helps.")
    assert names["CLM"].long_form == "Conditional Latent Matching"
    assert "CLM" not in found(nlp, "T\n\nIt learns causal latent masks (CLM). CLM helps.")


def test_a_lowercase_name_after_called_needs_a_kind(nlp):
    names = found(nlp, "T\n\nWe add a simple mechanism called quillgrowth, i.e. regrowth."
                       " We tune -- a process we refer to as quillfitting -- and a simple "
                       'technique called "reverse quilling," helps.')
    assert {"quillgrowth", "quillfitting", "reverse quilling"} <= set(names)
    assert names["quillgrowth"].role is Role.INTRODUCED
    names = found(nlp, "T\n\nWe use side links (called bridges) and named entities.")
    assert not names


def test_a_title_phrase_the_abstract_presents_is_introduced(nlp):
    names = found(nlp, "Quill Splatting for Maps\n\nWe introduce Quill Splatting, the first "
                       "system for maps. Quill splatting is fast.")
    assert names["Quill Splatting"].role is Role.INTRODUCED
    assert names["Quill Splatting"].type is EntityType.METHOD
    names = found(nlp, "Self-Quill Distillation for Further Pre-training\n\nWe propose "
                       "self-quill distillation as a regularizer.")
    assert "Self-Quill Distillation" in names and "self-quill distillation" in names


@pytest.mark.parametrize("title, abstract", [
    ("A Multi-Level Framework for Training", "We propose a multi-level framework, which helps."),
    ("Efficient Quill Pruning for LLMs", "We propose an efficient quill pruning framework."),
    ("Quill Data Selection: More Data", "We introduce data selection based on scores.")])
def test_a_title_phrase_that_describes_is_no_name(nlp, title, abstract):
    assert not found(nlp, f"{title}\n\n{abstract}")


def test_descriptions_read_past_brackets_and_a_first_and(nlp):
    names = found(nlp, "T\n\nWe introduce QUILLGEN, a new chart question answering (CQA) "
                       "benchmark.")
    assert names["QUILLGEN"].type is EntityType.BENCHMARK
    names = found(nlp, "QuillWeb: A Large and Clean Web Text Dataset\n\nQuillWeb is big.")
    assert names["QuillWeb"].type is EntityType.DATASET


def test_a_plural_class_acronym_names_no_artifact_in_the_singular_either(nlp):
    names = found(nlp, "T\n\nWe study quill-attributed graphs (QAGs) and multilingual quill "
                       "models (multiQLMs). Many QAG datasets exist.")
    assert not names


def test_a_model_only_compared_to_is_not_mentioned(nlp):
    names = found(nlp, "T\n\nQuillNet beats T5 and GPT-like models and BERT-style networks, "
                       "without PPO-style updates. CLIP-alike works use ViT.")
    assert "GPT" not in names and "BERT" not in names
    assert {"PPO", "ViT", "T5", "CLIP"} <= set(names)


def test_a_known_word_ending_an_unknown_capitalised_name_is_not_mentioned(nlp):
    assert "Mamba" in found(nlp, "Scaling With Mamba\n\nIt helps.")
    doc = nlp("T\n\nWe propose Procedure Transformer, a model. Transformer blocks and the "
              "Transformer help; Tabular Transformer too.")
    assert [doc[m.start - 1].text for m in doc._.kg_mentions] == [".", "the"]


def test_numbered_parts_and_programming_languages_are_not_names(nlp):
    names = found(nlp, "T\n\nOur method lies in Stage2: translating legacy code (e.g., COBOL, "
                       "Fortran) with QuillNet models.")
    assert set(names) == {"QuillNet"}


def test_a_name_after_such_as_ends_there(nlp):
    names = found(nlp, "T\n\nDocuments such as QZ-10 reports are long; tools such as QZ-11, "
                       "QZ-12 and QZ-13 help.")
    assert set(names) == {"QZ-11", "QZ-12", "QZ-13"}


def test_variants_of_a_papers_own_name_are_introduced(nlp):
    names = found(nlp, "QuillNet: Small Models\n\nWe build QuillNet models. QuillNet-Mini and "
                       "Fast-QuillNet beat BERT-Mini. We propose Quill Token Mixing (QTM) and "
                       "its QTM-D variant.")
    assert names["QuillNet-Mini"].role is Role.INTRODUCED
    assert names["QuillNet-Mini"].type is names["QuillNet"].type is EntityType.MODEL
    assert names["QuillNet-Mini"].family == "QuillNet"
    assert names["Fast-QuillNet"].role is Role.INTRODUCED
    assert names["QTM-D"].role is Role.INTRODUCED
    assert names["BERT-Mini"].role is Role.USED


def test_lowercase_names_that_are_no_ordinary_words_are_kept(nlp):
    names = found(nlp, "T\n\nWe embed graphs with node2vec and prune with knowledge "
                       "distillation.")
    assert "node2vec" in names and "knowledge distillation" not in names


def test_capitals_inside_a_longer_name_do_not_name_an_activity(nlp):
    names = found(nlp, "T\n\nIterative Magnitude Pruning (IMP) works; magnitude pruning alone "
                       "does not.")
    assert "IMP" in names and "magnitude pruning" not in names


def test_benchmarks_built_from_a_known_dataset_and_resolutions(nlp):
    names = found(nlp, "T\n\nWe report gains on Split CUB-200 and Permuted MNIST, and on "
                       "ImageNet 64 x 64.")
    assert names["Split CUB-200"].type is EntityType.BENCHMARK
    assert names["Split CUB-200"].family == "CUB-200-2011"
    assert names["Permuted MNIST"].type is EntityType.BENCHMARK
    assert "ImageNet 64 x 64" in names


def test_language_pairs_and_vetoed_classes_in_lists_are_not_names(nlp):
    names = found(nlp, "T\n\nWe adapt Quill Foundation Models (QFMs). QFMs, like ChatGPT and "
                       "LLaVA, translate En-De, PL-NL and NL-PL.")
    assert set(names) == {"ChatGPT", "LLaVA"}
