"""Tagging and linking courses: free-text skill tags → canonical skills with a confidence; each
course → the OaSIS descriptors it covers and the NOC unit groups it best prepares for.

* A given tag is mapped to its nearest ESCO skill and its nearest OaSIS descriptor (a French tag
  as well as an English one: the e5 model is multilingual). When a course's tags together do not
  fit its own title and description (some catalog rows carry a neighbour's tags), they are kept
  but marked ``fits_course: false`` and count for nothing.
* A course without fitting tags gets the ESCO skills nearest its title, marked inferred.
* Descriptor coverage: the best confidence of the fitting tags, or of the course text itself.
* Links, for courses whose institution gave no NOC code: how far the course (its text, moved
  towards its fitting tags) stands out in similarity to each occupation (its English titles,
  definition and duties, or its French titles, whichever is closer), in standard deviations over
  all occupations, plus the overlap of the descriptors it covers with those the occupation rates high.

Everything here is computed from plain values and the skill space's vectors.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from catalog.linking import OccupationLink
from catalog.skill_space import SkillSpace
from matching.embeddings import MINILM_NAME

GIVEN = "given"
INFERRED = "inferred"
EMBED_CHUNK = 16  # courses embedded between two progress reports (the embedding worker cuts them smaller)
DESCRIPTION_CHARS = 600
INFERRED_TAGS = 5
MIN_COVERAGE = 0.3
MIN_INFERRED_CONFIDENCE = 0.3
TAG_WEIGHT = 0.5  # how far a course's vector moves towards its fitting tags
TEXT_COVERAGE_WEIGHT = 0.8  # the course text is weaker evidence of a descriptor than a fitting tag
DESCRIPTOR_Z_FLOOR = 1.5  # a descriptor the course text is this many SD closer to than to the others
DESCRIPTOR_Z_SPAN = 1.5
MAX_CLOSER_SHARE = 0.3  # tags fit when at most this share of other texts is closer to them than the course
LINKS_PER_COURSE = 3
MIN_LINK_SCORE = 0.35
LINK_TEXT_WEIGHT = 0.75
LINK_Z_FLOOR = 2.0  # a course must stand this many standard deviations out to be linked on text
LINK_Z_SPAN = 2.5
# Cosines from which a match means something and from which it is certain, per model: e5's are
# compressed into 0.75-1, MiniLM's spread over 0.1-1.
# OaSIS descriptors are broad, so their best matches reach lower cosines than ESCO's.
ESCO_SCALES = {MINILM_NAME: (0.45, 0.8)}
E5_ESCO_SCALE = (0.86, 0.93)
DESCRIPTOR_SCALES = {MINILM_NAME: (0.3, 0.6)}
E5_DESCRIPTOR_SCALE = (0.825, 0.875)

Progress = Callable[[int], object]


@dataclass(frozen=True)
class CourseText:
    title: str
    description: str | None
    skills: Sequence[str]
    has_given_codes: bool


@dataclass(frozen=True)
class SkillMatch:
    id: str
    label: str
    vocabulary: str
    confidence: float


@dataclass(frozen=True)
class SkillTag:
    text: str
    source: str  # GIVEN or INFERRED
    fits_course: bool
    skill: SkillMatch | None  # nearest ESCO skill
    descriptor: SkillMatch | None  # nearest OaSIS descriptor


@dataclass(frozen=True)
class Tagging:
    tags: list[SkillTag]
    descriptors: dict[str, float]  # OaSIS descriptor id → coverage 0-1
    vector: np.ndarray
    links: list[OccupationLink]  # inferred; empty when the institution gave codes


def course_text(course: CourseText) -> str:
    description = (course.description or "").strip()
    return f"{course.title.strip()}. {description[:DESCRIPTION_CHARS]}" if description else course.title.strip()


def tag_courses(space: SkillSpace, courses: Sequence[CourseText], progress: Progress | None = None) -> list[Tagging]:
    """Tag and link every course; `progress` is told how many courses were embedded so far."""
    if not courses:
        return []
    scale = ESCO_SCALES.get(space.embedder.name, E5_ESCO_SCALE)
    course_vectors = _embed_courses(space, courses, progress)
    unique_tags = sorted({tag for course in courses for tag in course.skills})
    tag_rows = {tag: row for row, tag in enumerate(unique_tags)}
    tag_vectors = (
        space.tagging_embedder.embed_queries(unique_tags) if unique_tags else np.empty((0, course_vectors.shape[1]))
    )
    tag_esco = _nearest_esco(space, tag_vectors, 1, scale)
    tag_descriptor = descriptor_confidence(space, tag_vectors)
    text_descriptor = _standing_out(course_vectors @ space.descriptor_vectors.T) * TEXT_COVERAGE_WEIGHT
    tags_fit = _tags_fit_courses(space, courses, course_vectors, tag_vectors, tag_rows)
    untagged = [row for row, fits in enumerate(tags_fit) if not fits]
    title_vectors = space.tagging_embedder.embed_queries([courses[row].title for row in untagged]) if untagged else None
    inferred = (
        dict(zip(untagged, _nearest_esco(space, title_vectors, INFERRED_TAGS, scale), strict=True))
        if title_vectors is not None
        else {}
    )
    # Linking reads the tags too; the stored vector (what recommendations rank by) is the text's
    # own: moved towards the tags, Coursera's courses crowded together (nDCG@10 0.43 against 0.45).
    occupation_similarity = space.occupation_similarity(
        _with_fitting_tags(courses, course_vectors, tag_vectors, tag_rows, tags_fit)
    )
    taggings = []
    for row, course in enumerate(courses):
        rows = [tag_rows[tag] for tag in course.skills]
        tags = [
            SkillTag(
                tag,
                GIVEN,
                tags_fit[row],
                tag_esco[tag_row][0] if tag_esco[tag_row] else None,
                _descriptor(space, tag_descriptor[tag_row]),
            )
            for tag, tag_row in zip(course.skills, rows, strict=True)
        ]
        tags += [
            SkillTag(match.label, INFERRED, True, match, None)
            for match in inferred.get(row, [])
            if match.confidence >= MIN_INFERRED_CONFIDENCE
        ]
        coverage = text_descriptor[row]
        if tags_fit[row] and rows:
            coverage = np.maximum(coverage, tag_descriptor[rows].max(axis=0))
        descriptors = {
            space.descriptors[column].id: round(float(coverage[column]), 3)
            for column in np.flatnonzero(coverage >= MIN_COVERAGE)
        }
        links = [] if course.has_given_codes else _inferred_links(space, occupation_similarity[row], coverage)
        taggings.append(Tagging(tags, descriptors, course_vectors[row], links))
    return taggings


def _embed_courses(space: SkillSpace, courses: Sequence[CourseText], progress: Progress | None) -> np.ndarray:
    texts = [course_text(course) for course in courses]
    chunks = []
    for start in range(0, len(texts), EMBED_CHUNK):
        chunks.append(space.tagging_embedder.embed_passages(texts[start : start + EMBED_CHUNK]))
        if progress is not None:
            progress(len(chunks[-1]))
    return np.concatenate(chunks)


def _with_fitting_tags(
    courses: Sequence[CourseText],
    course_vectors: np.ndarray,
    tag_vectors: np.ndarray,
    tag_rows: dict[str, int],
    tags_fit: list[bool],
) -> np.ndarray:
    """Course vectors moved towards the mean of their fitting tags (what the course teaches, in the
    catalog's own words), renormalized."""
    moved = course_vectors.copy()
    for row, course in enumerate(courses):
        if tags_fit[row] and course.skills:
            moved[row] += TAG_WEIGHT * tag_vectors[[tag_rows[tag] for tag in course.skills]].mean(axis=0)
    norms = np.linalg.norm(moved, axis=1, keepdims=True)
    unit: np.ndarray = (moved / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    return unit


def _standing_out(similarity: np.ndarray) -> np.ndarray:
    """Per row, how far each column stands out from the row's others (z-score), as 0-1."""
    mean = similarity.mean(axis=1, keepdims=True)
    deviation = similarity.std(axis=1, keepdims=True)
    deviation[deviation == 0] = 1.0
    z_scores = (similarity - mean) / deviation
    part: np.ndarray = np.clip((z_scores - DESCRIPTOR_Z_FLOOR) / DESCRIPTOR_Z_SPAN, 0.0, 1.0).astype(np.float32)
    return part


def _tags_fit_courses(
    space: SkillSpace,
    courses: Sequence[CourseText],
    course_vectors: np.ndarray,
    tag_vectors: np.ndarray,
    tag_rows: dict[str, int],
) -> list[bool]:
    """Whether each course's given tags, taken together, describe it rather than other texts.

    A course's tags fit when their centroid is closer to the course's own text than to all but
    `MAX_CLOSER_SHARE` of a pool of other texts: the other courses of the upload and every
    occupation. Tags that belong to a neighbouring row (a menu-design course listing labour-law
    skills) are closer to many courses and occupations than to their own.
    """
    pool = np.concatenate([course_vectors, space.occupation_vectors[0]])
    fits = []
    for row, course in enumerate(courses):
        if not course.skills:
            fits.append(False)
            continue
        centroid = tag_vectors[[tag_rows[tag] for tag in course.skills]].mean(axis=0)
        similarity = pool @ centroid
        fits.append(float((similarity > similarity[row]).mean()) <= MAX_CLOSER_SHARE)
    return fits


def descriptor_confidence(space: SkillSpace, vectors: np.ndarray) -> np.ndarray:
    """How surely each of `vectors` (tags, a person's skills) names each OaSIS descriptor, 0-1."""
    return _confidence(
        vectors @ space.descriptor_vectors.T, DESCRIPTOR_SCALES.get(space.embedder.name, E5_DESCRIPTOR_SCALE)
    )


def _confidence(cosines: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    low, high = scale
    return np.clip((cosines - low) / (high - low), 0.0, 1.0).astype(np.float32)


def _nearest_esco(space: SkillSpace, vectors: np.ndarray, k: int, scale: tuple[float, float]) -> list[list[SkillMatch]]:
    if not len(vectors) or not space.esco:
        return [[] for _ in range(len(vectors))]
    scores, ids = space.esco_index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
    confidences = _confidence(scores, scale)
    matches = []
    for row_ids, row_confidences in zip(ids, confidences, strict=True):
        seen: set[str] = set()
        row = []
        for skill_id, confidence in zip(row_ids, row_confidences, strict=True):
            skill = space.esco[int(skill_id)]
            if skill_id >= 0 and confidence > 0 and skill.label_en not in seen:
                seen.add(skill.label_en)
                row.append(SkillMatch(skill.id, skill.label_en, skill.vocabulary, round(float(confidence), 3)))
        matches.append(row)
    return matches


def _descriptor(space: SkillSpace, confidences: np.ndarray) -> SkillMatch | None:
    column = int(np.argmax(confidences))
    if confidences[column] <= 0:
        return None
    skill = space.descriptors[column]
    return SkillMatch(skill.id, skill.label_en, skill.vocabulary, round(float(confidences[column]), 3))


def _inferred_links(space: SkillSpace, similarity: np.ndarray, coverage: np.ndarray) -> list[OccupationLink]:
    deviation = float(similarity.std()) or 1.0
    z_scores = (similarity - float(similarity.mean())) / deviation
    text_part = np.clip((z_scores - LINK_Z_FLOOR) / LINK_Z_SPAN, 0.0, 1.0)
    total_coverage = float(coverage.sum())
    overlap = (space.ratings @ coverage) / total_coverage if total_coverage else np.zeros(len(space.occupations))
    scores = LINK_TEXT_WEIGHT * text_part + (1 - LINK_TEXT_WEIGHT) * overlap * (text_part > 0)
    best = np.argsort(-scores, kind="stable")[:LINKS_PER_COURSE]
    links = []
    for row in best:
        if scores[row] < MIN_LINK_SCORE:
            break
        occupation = space.occupations[row]
        shared = [
            space.descriptors[column].label_en
            for column in np.argsort(-(space.ratings[row] * coverage))[:3]
            if space.ratings[row, column] * coverage[column] > 0.25
        ]
        evidence = f"text close to {occupation.title_en} ({z_scores[row]:.1f} SD above its other occupations)"
        if shared:
            evidence += f"; skills in common: {', '.join(shared)}"
        links.append(OccupationLink(occupation.noc_code, round(float(scores[row]), 3), INFERRED, evidence[:500]))
    return links
