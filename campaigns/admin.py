from django.contrib import admin

from .models import Campaign, MatchDecision, Participant, ResultSummary, Sending


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "purpose", "establishment", "school_year",
                    "results_imported_at", "archived_at")
    list_filter = ("kind", "purpose", "school_year")
    search_fields = ("code", "name", "establishment__uai", "establishment__name")
    raw_id_fields = ("establishment", "owner")
    filter_horizontal = ("classes",)
    readonly_fields = ("competence_codes", "stage_count", "badge_names", "external_id_label",
                       "created_at", "results_imported_at")


class SendingInline(admin.TabularInline):
    model = Sending
    extra = 0
    can_delete = False
    fields = ("shared", "shared_at", "started_at", "pix_total", "mastery", "is_result")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "division", "campaign", "match", "pupil",
                    "has_shared")
    list_filter = ("match", "has_shared")
    search_fields = ("last_name", "first_name", "campaign__code")
    raw_id_fields = ("campaign", "pupil")
    readonly_fields = ("last_name_key", "first_name_key", "candidates")
    inlines = [SendingInline]


@admin.register(MatchDecision)
class MatchDecisionAdmin(admin.ModelAdmin):
    list_display = ("last_name_key", "first_name_key", "division", "school_year", "pupil",
                    "not_ours", "decided_by", "decided_at")
    list_filter = ("not_ours", "school_year")
    search_fields = ("last_name_key", "first_name_key", "establishment__uai")
    raw_id_fields = ("establishment", "pupil", "decided_by")


@admin.register(ResultSummary)
class ResultSummaryAdmin(admin.ModelAdmin):
    list_display = ("campaign", "division", "participants", "shared", "matched", "mean_pix",
                    "mean_mastery", "built_at")
    search_fields = ("campaign__code", "division")
    raw_id_fields = ("campaign",)
