"""All tables. Import models from here so Alembic sees every one of them."""

from app.models.calls import (  # noqa: F401
    APPLICATION_STATUSES,
    Application,
    ApplicationAmendment,
    ApplicationDocument,
    ApplicationFollower,
    ApplicationPartner,
    ApplicationPriorProject,
    Call,
    Criterion,
    DocumentRead,
    EvaluationSnapshot,
)
from app.models.followup import (  # noqa: F401
    ADOPTION_STATUSES,
    CLUSTER_ROLES,
    REPORT_KINDS,
    REPORT_STATUSES,
    RESULT_KINDS,
    Adoption,
    ClusterMember,
    FundedProject,
    KnowledgeSession,
    Milestone,
    OperatingCluster,
    ProjectReport,
)
from app.models.ideas import (  # noqa: F401
    IDEA_SEEKS,
    RESPONSES,
    RUN_STATUSES,
    ConsortiumResponse,
    ConsortiumRun,
    Idea,
)
from app.models.jury import (  # noqa: F401
    Assignment,
    AuditEntry,
    AuditHead,
    CallJuror,
    CallJurySettings,
    Consensus,
    DeclaredConflict,
    JurorAffiliation,
    Score,
    ScoreReconfirmation,
)
from app.models.login import LoginFailure  # noqa: F401
from app.models.plans import JOB_STATUSES, ClusterPlan  # noqa: F401
from app.models.registry import (  # noqa: F401
    EVIDENCE_LEVELS,
    INTERESTS,
    ORGANISATION_TYPES,
    PARTICIPATION_ROLES,
    PROGRAMMES,
    PROJECT_STATUSES,
    PROVINCES,
    REGIONS,
    REVIEW_STATUSES,
    Domain,
    DomainInterest,
    Municipality,
    Organisation,
    Participation,
    Project,
    ProjectSource,
    SeedTombstone,
    project_domain,
)
from app.models.users import (  # noqa: F401
    USER_ROLES,
    ApiToken,
    AuditPerson,
    Invitation,
    User,
    hash_token,
)
