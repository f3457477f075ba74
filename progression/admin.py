from django.contrib import admin

from .models import ChecklistTick, Objective, Rule


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("establishment", "school_year", "grade", "name")
    list_filter = ("school_year", "grade")
    inlines = [RuleInline]


@admin.register(ChecklistTick)
class ChecklistTickAdmin(admin.ModelAdmin):
    list_display = ("establishment", "school_year", "step", "ticked_by", "ticked_at")
