"""Who may do what with a job (who may see it: JobQuerySet.for_membership)."""

from __future__ import annotations

from .models import Job

# The roles that may upload each kind of file (the import pages' own rules).
IMPORTER_ROLES = {
    Job.Kind.PUPIL_IMPORT: {"rupn"},
    Job.Kind.CAMPAIGN_IMPORT: {"rupn", "teacher"},
    Job.Kind.CERTIFICATION_IMPORT: {"rupn"},
    Job.Kind.PIX_EDU_IMPORT: {"rupn"},
}


def can_relaunch(membership, job: Job) -> bool:
    """The RUPN and the direction run again any job of their establishment; a member who may
    import this kind of file, the jobs they started."""
    if membership is None or membership.establishment_id != job.establishment_id:
        return False
    if membership.sees_whole_establishment:
        return True
    return (job.created_by_id == membership.user_id
            and membership.role in IMPORTER_ROLES.get(job.kind, set()))
