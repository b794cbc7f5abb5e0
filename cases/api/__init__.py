"""REST API of cases and the commission's other records, one module per sub-domain
(`cases`, `letters`, `denunciations`, `complaints`, `suspensions`; `records` holds what
the last four share). Thin, like the pages: ktgs.access scopes every read and write, the
input serializers only parse, cases.services decides and writes."""

from rest_framework.routers import DefaultRouter

from cases.api.cases import CaseViewSet
from cases.api.complaints import ComplaintViewSet
from cases.api.denunciations import DenunciationViewSet
from cases.api.letters import LetterViewSet
from cases.api.suspensions import SuspensionViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cases", CaseViewSet, basename="case")
router.register("letters", LetterViewSet, basename="letter")
router.register("denunciations", DenunciationViewSet, basename="denunciation")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("suspensions", SuspensionViewSet, basename="suspension")
urlpatterns = router.urls
