"""Import endpoints: upload a file to import (run in the background), then poll the import's status.

    POST /api/v1/imports/        multipart: file, kind, source, match, property, campaign_tag,
                                 create_properties, all_or_nothing, dry_run  -> 202 + the import
    GET  /api/v1/imports/        the imports you may see, newest first
    GET  /api/v1/imports/<id>/   status, progress and, when finished, the summary

Mounted by `path("imports/", include("concierge.api.imports"))` in concierge/api/urls.py; the url
names ("import-list", "import-detail") join the "api" namespace.
"""
from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi
from concierge.api.fields import TextChoicesField
from concierge.guests.filters import properties_for
from concierge.imports.choices import ImportKind, ImportStatus, MatchMode
from concierge.imports.models import ImportBatch
from concierge.imports.permissions import can_import
from concierge.imports.selectors import import_batches_for, import_progress
from concierge.imports.services import DEFAULT_SOURCE, import_batch_create, import_batch_start
from concierge.properties.models import Property


class ImportCreateInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV (UTF-8 or GBK/GB18030) or XLSX; see docs/import.md for the columns."))
    kind = TextChoicesField(ImportKind)
    source = serializers.CharField(max_length=60, default=DEFAULT_SOURCE)
    match = TextChoicesField(MatchMode, default=MatchMode.LINK)
    property = serializers.SlugRelatedField(slug_field="code", queryset=Property.objects.none(), required=False,
                                            allow_null=True,
                                            help_text=_("Code of the property that holds imported profiles."))
    campaign_tag = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    create_properties = serializers.BooleanField(default=False)
    all_or_nothing = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent when the schema generator inspects the serializer
        self.fields["property"].queryset = properties_for(getattr(request, "user", None))


class ImportProgressSerializer(serializers.Serializer):
    status = TextChoicesField(ImportStatus)
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class ImportOutputSerializer(serializers.ModelSerializer):
    kind = TextChoicesField(ImportKind, read_only=True)
    match_mode = TextChoicesField(MatchMode, read_only=True)
    status = TextChoicesField(ImportStatus, read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = ("id", "kind", "source", "file_name", "match_mode", "dry_run", "status", "progress", "summary",
                  "error", "created_at", "started_at", "finished_at")
        read_only_fields = fields

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, batch: ImportBatch) -> dict[str, Any]:
        return import_progress(batch=batch)


class ImportListCreateApi(ConciergeApi):
    parser_classes = [MultiPartParser, FormParser]
    queryset = ImportBatch.objects.none()  # for the schema generator; requests use import_batches_for()

    @extend_schema(tags=["imports"], summary="Imports you may see, newest first",
                   responses=ImportOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        if not can_import(request.user):
            raise PermissionDenied(_("Your role cannot import data."))
        return self.paginated(import_batches_for(user=request.user), ImportOutputSerializer)

    @extend_schema(tags=["imports"], summary="Import a CSV/XLSX file (runs in the background)",
                   request=ImportCreateInputSerializer, responses={202: ImportOutputSerializer})
    def post(self, request: Request) -> Response:
        if not can_import(request.user):
            raise PermissionDenied(_("Your role cannot import data."))
        serializer = ImportCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["create_properties"] and request.user.property_ids() is not None:
            raise PermissionDenied(_("Only a group-wide user can create properties."))
        batch = import_batch_create(
            actor=request.user, kind=data["kind"], upload=data["file"], source=data["source"],
            match_mode=data["match"], property=data.get("property"), create_properties=data["create_properties"],
            all_or_nothing=data["all_or_nothing"], campaign_tag=data["campaign_tag"],
        )
        batch = import_batch_start(actor=request.user, batch=batch, dry_run=data["dry_run"])
        return Response(ImportOutputSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(ConciergeApi):
    queryset = ImportBatch.objects.none()  # for the schema generator (the id's type); see get()
    @extend_schema(tags=["imports"], summary="An import: status, progress and summary",
                   responses=ImportOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        if not can_import(request.user):
            raise PermissionDenied(_("Your role cannot import data."))
        try:
            batch = import_batches_for(user=request.user).get(pk=pk)
        except ImportBatch.DoesNotExist:
            raise NotFound() from None
        if batch.status == ImportStatus.RUNNING:
            batch.refresh_from_db()
        return Response(ImportOutputSerializer(batch).data)


urlpatterns = [
    path("", ImportListCreateApi.as_view(), name="import-list"),
    path("<int:pk>/", ImportDetailApi.as_view(), name="import-detail"),
]
