from django.contrib import admin

from .models import (
    Attendance,
    Group,
    GroupMember,
    Period,
    PixEduRecord,
    Registration,
    Reminder,
    Session,
    Workshop,
)


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    raw_id_fields = ("pupil",)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "establishment", "grade", "starts_on", "ends_on", "measure")
    list_filter = ("school_year", "grade")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "period", "status", "leader")
    list_filter = ("status",)
    inlines = [GroupMemberInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("group", "starts_at", "minutes", "room", "leader")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("session", "pupil", "present", "marked_at")
    raw_id_fields = ("pupil",)


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("topic", "establishment", "starts_at", "capacity")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("workshop", "member", "present")


@admin.register(PixEduRecord)
class PixEduRecordAdmin(admin.ModelAdmin):
    list_display = ("member", "newly_tenured", "positioning_done", "attestation_done")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("user", "session", "workshop", "starts_at", "sent_at")
