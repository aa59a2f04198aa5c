"""/api/v1/webhooks/endpoints/: an integration manages its own endpoints with its API key
and reads their delivery log. Another integration's endpoints answer 404."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from webhooks.models import SUBSCRIBABLE, DeliveryStatus, Endpoint, EventType
from webhooks.selectors import delivery_log, endpoint_get, endpoint_list
from webhooks.services import (
    deliveries_resend,
    endpoint_create,
    endpoint_delete,
    endpoint_replay_since,
    endpoint_secret_rotate,
    endpoint_test_send,
    endpoint_update,
)


class EndpointOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    description = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField()
    failing_since = serializers.DateTimeField(allow_null=True)
    previous_secret_expires_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class EndpointCreatedOutput(EndpointOutput):
    secret = serializers.CharField(help_text="The signing secret, shown this once.")


class EndpointInput(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    description = serializers.CharField(max_length=200, required=False, default="",
                                        allow_blank=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE),
                                        allow_empty=False)


class EndpointUpdateInput(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE),
                                        allow_empty=False, required=False)
    enabled = serializers.BooleanField(required=False)


class AttemptOutput(serializers.Serializer):
    number = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    response_excerpt = serializers.CharField()
    error = serializers.CharField()


class DeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    msg_id = serializers.CharField(source="event.msg_id")
    event_type = serializers.CharField(source="event.type")
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.JSONField(source="event.payload")
    attempt_log = AttemptOutput(many=True)


class DeliveryFilters(serializers.Serializer):
    event_type = serializers.ChoiceField(choices=EventType.values, required=False)
    status = serializers.ChoiceField(choices=DeliveryStatus.values, required=False)


class ReplayInput(serializers.Serializer):
    since = serializers.DateTimeField()


COUNT = inline_serializer("WebhookResendCount", {"deliveries": serializers.IntegerField()})


class EndpointViewSet(viewsets.ViewSet):
    lookup_value_converter = "int"
    # For the schema only (the id's type); every view reads through the scoped selector.
    queryset = Endpoint.objects.none()

    def _endpoint(self, pk):
        endpoint = endpoint_get(integration=self.request.user.integration, endpoint_id=pk)
        if endpoint is None:
            raise Http404
        return endpoint

    @extend_schema(responses=EndpointOutput(many=True))
    def list(self, request):
        endpoints = endpoint_list(integration=request.user.integration)
        return Response(EndpointOutput(endpoints, many=True).data)

    @extend_schema(request=EndpointInput, responses={201: EndpointCreatedOutput},
                   description="Create an endpoint. The answer holds its signing secret, "
                   "shown this once; it is stored only encrypted.")
    def create(self, request):
        data = EndpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = endpoint_create(integration=request.user.integration,
                                           actor=str(request.user), **data.validated_data)
        body = {**EndpointOutput(endpoint).data, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses=EndpointOutput)
    def retrieve(self, request, pk=None):
        return Response(EndpointOutput(self._endpoint(pk)).data)

    @extend_schema(request=EndpointUpdateInput, responses=EndpointOutput)
    def partial_update(self, request, pk=None):
        data = EndpointUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = endpoint_update(endpoint=self._endpoint(pk), actor=str(request.user),
                                   **data.validated_data)
        return Response(EndpointOutput(endpoint).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        endpoint_delete(endpoint=self._endpoint(pk), actor=str(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=inline_serializer("WebhookRotated", {
        "secret": serializers.CharField(),
        "previous_valid_until": serializers.DateTimeField()}),
        description="A new signing secret (shown this once); the old one keeps signing, "
        "as a second signature, until previous_valid_until.")
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = self._endpoint(pk)
        secret = endpoint_secret_rotate(endpoint=endpoint, actor=str(request.user))
        return Response({"secret": secret,
                         "previous_valid_until": endpoint.previous_secret_expires_at})

    @extend_schema(request=None, responses={202: inline_serializer(
        "WebhookTestSent", {"msg_id": serializers.CharField()})})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        event = endpoint_test_send(endpoint=self._endpoint(pk), actor=str(request.user))
        return Response({"msg_id": event.msg_id}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(parameters=[DeliveryFilters], responses=DeliveryOutput(many=True),
                   description="The newest 100 deliveries, each with every attempt.")
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        filters = DeliveryFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        log = delivery_log(endpoint=self._endpoint(pk), **filters.validated_data)
        return Response(DeliveryOutput(log, many=True).data)

    @extend_schema(request=None, responses={202: COUNT},
                   parameters=[OpenApiParameter("delivery_id", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["post"], url_path="deliveries/<int:delivery_id>/resend")
    def resend(self, request, pk=None, delivery_id=None):
        endpoint = self._endpoint(pk)
        deliveries = endpoint.deliveries.filter(pk=delivery_id)
        if not deliveries.exists():
            raise Http404
        count = deliveries_resend(deliveries=deliveries, actor=str(request.user),
                                  endpoint=endpoint)
        return Response({"deliveries": count}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ReplayInput, responses={202: COUNT},
                   description="Send again every delivery to this endpoint made since `since`.")
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        data = ReplayInput(data=request.data)
        data.is_valid(raise_exception=True)
        count = endpoint_replay_since(endpoint=self._endpoint(pk), actor=str(request.user),
                                      since=data.validated_data["since"])
        return Response({"deliveries": count}, status=status.HTTP_202_ACCEPTED)
