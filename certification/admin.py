from django.contrib import admin

from .models import (
    AnalysisSummary,
    Availability,
    Candidate,
    CertificationPlan,
    CertificationResult,
    Room,
    Session,
)


@admin.register(CertificationPlan)
class CertificationPlanAdmin(admin.ModelAdmin):
    list_display = ("establishment", "school_year", "session_minutes", "second_invigilator_above")
    list_filter = ("school_year",)
    search_fields = ("establishment__name", "establishment__uai")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "computers", "establishment")
    search_fields = ("name", "establishment__name", "establishment__uai")


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("pupil", "plan", "extra_time_percent")
    search_fields = ("pupil__last_name", "pupil__first_name", "pupil__ine")
    raw_id_fields = ("plan", "pupil")


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ("member", "starts_at", "ends_at", "plan")
    raw_id_fields = ("plan", "member")


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "room", "minutes", "pix_number", "plan")
    list_filter = ("plan__school_year",)
    raw_id_fields = ("plan", "room", "candidates", "invigilators")


@admin.register(CertificationResult)
class CertificationResultAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "division", "status", "pix", "match",
                    "establishment")
    list_filter = ("status", "match", "school_year")
    search_fields = ("last_name", "first_name", "certification_number")
    raw_id_fields = ("establishment", "pupil")


@admin.register(AnalysisSummary)
class AnalysisSummaryAdmin(admin.ModelAdmin):
    list_display = ("establishment", "school_year", "division", "built_at")
    list_filter = ("school_year",)
