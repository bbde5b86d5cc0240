# The server as a container image: docker build -t junction:dev .   (builds the fat jar inside; Java 17, see README)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
COPY --from=build /src/server/target/junction-server.jar /opt/junction/junction-server.jar
WORKDIR /var/lib/junction
EXPOSE 8080 7626 17355
ENTRYPOINT ["java", "-jar", "/opt/junction/junction-server.jar"]
