set -e
aspects --settings /etc/aspects/settings.yml init
